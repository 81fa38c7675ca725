using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Host;

/// <summary>
/// The gateway as an operator starts it, a process: a start-up failure is one line on standard error that names
/// the problem, and exit code 1, never an unhandled exception with a stack trace.
/// </summary>
public sealed class StartupFailureTests
{
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "Gateway.dll");

    [Fact]
    public async Task Start_ConfigFileMissing_OneLineNamingThePathAndExit1()
    {
        var (exitCode, stderr) = await RunAsync("--config", "/nonexistent/sms-gateway/yarp.json");

        AssertOneLineFailure(exitCode, stderr, "'/nonexistent/sms-gateway/yarp.json' does not exist");
    }

    [Fact]
    public async Task Start_ConfigFileNotJson_OneLineNamingTheFileAndExit1()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gateway-bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, "{ \"ReverseProxy\": ");
        try
        {
            var (exitCode, stderr) = await RunAsync("--config", path);

            AssertOneLineFailure(exitCode, stderr, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Start_RedisStringUnparsable_OneLineNamingTheKeyAndExit1()
    {
        var (exitCode, stderr) = await RunAsync("--config", ShippedConfig, "--SmsCodeGate:Redis=127.0.0.1:6379,notakeyword=1", "--urls", "http://127.0.0.1:0");

        AssertOneLineFailure(exitCode, stderr, "SmsCodeGate:Redis is not a valid StackExchange.Redis configuration string");
    }

    [Fact]
    public async Task Start_MobilePatternMatchesNonMobiles_OneLineNamingTheKeyAndExit1()
    {
        var (exitCode, stderr) = await RunAsync("--config", ShippedConfig, "--SmsCodeGate:Policies:legacy-sms:MobilePattern=.*", "--urls", "http://127.0.0.1:0");

        AssertOneLineFailure(exitCode, stderr, "SmsCodeGate:Policies:legacy-sms:MobilePattern can match 'a', which is not a mobile");
    }

    [Fact]
    public async Task Start_PortInUse_OneLineNamingTheAddressAndExit1()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var (exitCode, stderr) = await RunAsync("--config", ShippedConfig, "--urls", $"http://127.0.0.1:{port}");

        AssertOneLineFailure(exitCode, stderr, $"http://127.0.0.1:{port}: address already in use");
    }

    private static string ShippedConfig => Path.Combine(AppContext.BaseDirectory, "yarp.json");

    private static void AssertOneLineFailure(int exitCode, string stderr, string expected)
    {
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("sms-gateway: cannot start:", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stderr)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(GatewayDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        return (process.ExitCode, await stderr);
    }
}
