using System.Diagnostics;
using System.Globalization;

namespace Gateway.Tests.Common.Redis;

/// <summary>What every Redis fixture uses around its processes: the executables, <c>redis-cli</c>, signals, INFO fields, waiting for a state.</summary>
public static class RedisTools
{
    /// <summary>Sends <paramref name="signal"/> (<c>-STOP</c>, <c>-CONT</c>) to the process <paramref name="processId"/> with <c>kill</c>.</summary>
    public static async Task SignalAsync(string signal, int processId)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [signal, Invariant(processId)])) ?? throw new InvalidOperationException("kill did not start.");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {processId} exited with {kill.ExitCode}.");
        }
    }

    /// <summary>Runs <c>redis-cli</c> with <paramref name="arguments"/>; returns its output, or throws when it fails or overruns.</summary>
    public static async Task<string> RunCliAsync(TimeSpan timeout, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(FindExecutable("redis-cli"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("redis-cli did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} did not finish within {timeout}:{Environment.NewLine}{await output}{await error}");
        }

        var text = await output + await error;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} exited with {process.ExitCode.ToString(CultureInfo.InvariantCulture)}:{Environment.NewLine}{text}");
        }

        return text;
    }

    /// <summary>Finds a Redis executable on PATH or in Debian's <c>/usr/bin</c>.</summary>
    public static string FindExecutable(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{name} was not found on PATH. Install it (Debian: apt-get install redis-server redis-tools) or run the README's test command, which does.");
    }

    /// <summary>
    /// The value of <paramref name="field"/> in an INFO-style <c>field:value</c> text (CLUSTER INFO, INFO replication),
    /// or null. Over RESP3 such a text may come as a verbatim string, which starts with its format (<c>txt:</c>).
    /// </summary>
    public static string? InfoField(string info, string field)
    {
        const string VerbatimText = "txt:";
        if (info.StartsWith(VerbatimText, StringComparison.Ordinal))
        {
            info = info[VerbatimText.Length..];
        }

        foreach (var line in info.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return trimmed[(field.Length + 1)..];
            }
        }

        return null;
    }

    /// <summary>
    /// Polls <paramref name="check"/>, which returns null once the condition holds and otherwise what it saw instead,
    /// until it holds; throws with the last thing it saw when <paramref name="within"/> passes. Failures of the check
    /// (a node that is switching roles) count as not yet.
    /// </summary>
    public static async Task WaitUntilAsync(string what, TimeSpan within, Func<Task<string?>> check)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        string? seen;
        while (true)
        {
            try
            {
                seen = await check();
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
            {
                seen = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (seen is null)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {within}; last seen: {seen}");
            }

            await Task.Delay(50);
        }
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
