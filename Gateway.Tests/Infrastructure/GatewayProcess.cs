using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The built gateway started as an operator starts it, a process (<c>dotnet Gateway.dll</c>), with its own working
/// directory, environment variables and command line: what a test host in this process cannot vary without affecting
/// the tests running alongside. It listens on a loopback port it binds itself; <see cref="Address"/> is read from its
/// "Now listening on" line.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    /// <summary>The gateway's own configuration variables, which the test process may have and a child must not inherit.</summary>
    public const string ConfigEnvironmentVariable = "GATEWAY_CONFIG";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "Gateway.dll");
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The address the gateway listens on.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>What the gateway has printed so far (its console log, one line per event).</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts the gateway in <paramref name="workingDirectory"/> with <paramref name="arguments"/> (and
    /// <c>--urls http://127.0.0.1:0</c>) and, on top of this process's environment without any gateway setting,
    /// <paramref name="environment"/>; waits until it listens.
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var start = StartInfo(workingDirectory, arguments);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var gateway = new GatewayProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."));
        gateway._process.OutputDataReceived += (_, e) => gateway.Keep(e.Data);
        gateway._process.ErrorDataReceived += (_, e) => gateway.Keep(e.Data);
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        try
        {
            var exited = gateway._process.WaitForExitAsync();
            var first = await Task.WhenAny(gateway._listening.Task, exited).WaitAsync(StartTimeout);
            if (first == exited)
            {
                throw new InvalidOperationException($"The gateway exited with {gateway._process.ExitCode} before it listened:{Environment.NewLine}{gateway.Output}");
            }

            gateway.Address = await gateway._listening.Task;
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    /// <summary>
    /// <c>dotnet Gateway.dll</c> in <paramref name="workingDirectory"/> with <paramref name="arguments"/> and
    /// <c>--urls http://127.0.0.1:0</c>, its output redirected, and this process's environment without any gateway
    /// setting.
    /// </summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(GatewayDll);
        foreach (var argument in arguments.Concat(["--urls", "http://127.0.0.1:0"]))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var inherited in start.Environment.Keys.Where(IsGatewaySetting).ToList())
        {
            start.Environment.Remove(inherited);
        }

        return start;
    }

    private static bool IsGatewaySetting(string name) =>
        name == ConfigEnvironmentVariable
        || name.Equals("config", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("SmsCodeGate__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ReverseProxy__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ForwardedHeaders__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ClientRateLimiting__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups["address"].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (?<address>http://\S+)")]
    private static partial Regex ListeningLine();
}
