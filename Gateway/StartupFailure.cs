using System.Reflection;

namespace Gateway;

/// <summary>
/// Turns a failure to start (a missing or unreadable config file, invalid configuration, a port in use) into one
/// line on standard error and exit code 1, instead of an unhandled exception and its stack trace. Only when the
/// gateway is the process: under a test host the exception stays an exception.
/// </summary>
internal static class StartupFailure
{
    public const int ExitCode = 1;

    public static bool IsProcessEntryPoint => Assembly.GetEntryAssembly() == typeof(StartupFailure).Assembly;

    /// <summary>The failure and its causes on one line, e.g. "Failed to bind to address ...: address already in use."</summary>
    public static string Describe(Exception exception)
    {
        var messages = new List<string>();
        Collect(exception, messages);
        return "sms-gateway: cannot start: " + string.Join(" <- ", messages.Distinct(StringComparer.Ordinal));
    }

    private static void Collect(Exception exception, List<string> messages)
    {
        messages.Add(exception.Message.ReplaceLineEndings(" ").Trim());
        if (exception is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions)
            {
                Collect(inner, messages);
            }
        }
        else if (exception.InnerException is { } inner)
        {
            Collect(inner, messages);
        }
    }
}
