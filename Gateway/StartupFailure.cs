using System.Reflection;
using Microsoft.Extensions.Options;

namespace Gateway;

/// <summary>
/// Turns a failure to start (a missing or unreadable config file, invalid configuration, a port in use) into lines on
/// standard error, one per mistake, and exit code 1, instead of an unhandled exception and its stack trace. Only when
/// the gateway is the process: under a test host the exception stays an exception.
/// </summary>
internal static class StartupFailure
{
    public const int ExitCode = 1;
    private const string Prefix = "sms-gateway: cannot start: ";

    /// <summary>
    /// YARP's wrappers around the errors it collected; each error names its route or cluster already, so these say
    /// nothing more and are left out.
    /// </summary>
    private static readonly string[] Wrappers =
    [
        "Unable to load or apply the proxy configuration.",
        "The proxy config is invalid.",
        "An exception was thrown from the configuration callbacks for ",
    ];

    public static bool IsProcessEntryPoint => Assembly.GetEntryAssembly() == typeof(StartupFailure).Assembly;

    /// <summary>
    /// One line per mistake, each with its causes, e.g. "Failed to bind to address ...: address already in use." or
    /// "SmsCodeGate:Policies:p:SendIntervall is not a setting (did you mean SendInterval?)."
    /// </summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var lines = new List<string>();
        Collect(exception, lines);
        return string.Join(Environment.NewLine, lines.Distinct(StringComparer.Ordinal).Select(line => Prefix + line));
    }

    private static void Collect(Exception exception, List<string> lines)
    {
        if (exception is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions)
            {
                Collect(inner, lines);
            }

            return;
        }

        if (exception.InnerException is { } wrapped && Wrappers.Any(w => exception.Message.StartsWith(w, StringComparison.Ordinal)))
        {
            Collect(wrapped, lines);
            return;
        }

        if (exception is OptionsValidationException validation)
        {
            lines.AddRange(validation.Failures.SelectMany(SplitLines));
            return;
        }

        lines.Add(WithCauses(exception));
    }

    /// <summary>The message and its causes, "outer &lt;- inner", leaving out a cause the message already quotes.</summary>
    private static string WithCauses(Exception exception)
    {
        var line = OneLine(exception.Message);
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            var cause = OneLine(inner.Message);
            if (!line.Contains(cause, StringComparison.Ordinal))
            {
                line += " <- " + cause;
            }
        }

        return line;
    }

    private static IEnumerable<string> SplitLines(string message) =>
        message.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
