using System.Diagnostics;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The built gateway run as a process until it exits, for start-up failures: its exit code, and what it wrote to
/// standard error. A gateway that starts instead is stopped after it listens, and reported with exit code 0.
/// </summary>
public static class GatewayRun
{
    /// <summary>Runs <c>dotnet Gateway.dll</c> with <paramref name="arguments"/> (and a port of its own) in <paramref name="workingDirectory"/>.</summary>
    public static async Task<(int ExitCode, string Stderr, string Stdout)> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = GatewayProcess.StartInfo(workingDirectory, arguments);
        using var process = Process.Start(start)!;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stdout = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stdout)
            {
                stdout.AppendLine(e.Data);
            }

            if (e.Data.Contains("Now listening on:", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exited = process.WaitForExitAsync(timeout.Token);
        if (await Task.WhenAny(exited, listening.Task) == listening.Task)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(timeout.Token);
            return (0, await stderr, Text(stdout));
        }

        await exited;
        process.WaitForExit(); // drains the redirected output
        return (process.ExitCode, await stderr, Text(stdout));
    }

    private static string Text(System.Text.StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
