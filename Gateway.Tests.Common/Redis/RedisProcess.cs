using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Common.Redis;

/// <summary>
/// One <c>redis-server</c> process (a data node or a sentinel) on a loopback port, started from Debian's binaries,
/// for the groups that need several of them (<see cref="RedisCluster"/>, <see cref="RedisSentinelGroup"/>). Keeps
/// the last lines it printed, so that a group that fails to form can say why.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable, IPausable
{
    private const int KeptOutputLines = 50;
    private const int PortAttempts = 5;
    private const string AddressInUse = "Address already in use";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;
    private volatile bool _paused;

    private RedisProcess(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public string EndPoint => $"127.0.0.1:{Port}";

    private Process Process => _process ?? throw new InvalidOperationException($"redis-server on port {Port} is not running.");

    /// <summary>The last lines the process printed, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts <c>redis-server</c> on a free loopback port, with the arguments <paramref name="argumentsFor"/> gives for
    /// it, and waits until it answers there. A port is only free at the moment of asking: when another process binds it
    /// first, redis-server exits with "Address already in use", and this starts it again on another port.
    /// </summary>
    public static async Task<RedisProcess> StartOnFreePortAsync(Func<int, IEnumerable<string>> argumentsFor)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            try
            {
                return await StartAsync(port, argumentsFor(port));
            }
            catch (PortTakenException) when (attempt < PortAttempts)
            {
                // Taken between the asking and the binding (by a parallel test, or an outgoing connection): try another.
            }
        }
    }

    /// <summary>
    /// Starts <c>redis-server</c> with <paramref name="arguments"/>, which make it listen on <paramref name="port"/>, and
    /// waits until it answers there as itself (its INFO names its process id: a port taken by another test's server
    /// answers too). Throws <see cref="PortTakenException"/> when it could not bind a port.
    /// </summary>
    public static async Task<RedisProcess> StartAsync(int port, IEnumerable<string> arguments)
    {
        var redis = new RedisProcess(port);
        var startInfo = new ProcessStartInfo(RedisTools.FindExecutable("redis-server"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("redis-server did not start.");
        redis._process = process;
        process.OutputDataReceived += (_, e) => redis.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => redis.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(CancellationToken.None); // and for the last lines it printed
                await redis.DisposeAsync();
                var why = $"redis-server on port {port} exited at start:{Environment.NewLine}{redis.Output}";
                throw redis.Output.Contains(AddressInUse, StringComparison.Ordinal) ? new PortTakenException(why) : new InvalidOperationException(why);
            }

            if (timeout.IsCancellationRequested)
            {
                await redis.DisposeAsync();
                throw new InvalidOperationException($"redis-server on port {port} did not answer within {StartTimeout}:{Environment.NewLine}{redis.Output}");
            }

            try
            {
                // A probe that gets no answer (a listener that is not a Redis) is only given up on and tried again.
                using var probe = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
                probe.CancelAfter(ProbeTimeout);
                if (await AnswersAsAsync(port, process.Id, probe.Token))
                {
                    return redis;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Stops the process with SIGSTOP: its connections stay open, but it answers nothing until <see cref="ResumeAsync"/>.</summary>
    public async Task PauseAsync()
    {
        _paused = true;
        await RedisTools.SignalAsync("-STOP", Process.Id);
    }

    /// <summary>Lets a process stopped by <see cref="PauseAsync"/> run again (SIGCONT).</summary>
    public async Task ResumeAsync()
    {
        await RedisTools.SignalAsync("-CONT", Process.Id);
        _paused = false;
    }

    /// <summary>Resumes the process if a test paused it and did not resume it (a failed test); see <see cref="TestResources"/>.</summary>
    public async Task ResumeIfPausedAsync()
    {
        if (_paused && _process is { HasExited: false })
        {
            await ResumeAsync();
        }
    }

    /// <summary>Kills the process (a crash, not a shutdown) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            // SIGKILL ends a stopped process too, and without resuming it first: a resumed process would answer what
            // it was sent while paused before it dies, and a test that kills a paused server means a crash mid-call.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(ExitTimeout);
            _paused = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
    }

    /// <summary>
    /// The arguments of a data node without persistence on <paramref name="port"/>, working in <paramref name="directory"/>.
    /// A replica's first sync starts at once (Redis otherwise waits 5 s for more replicas to share a diskless sync).
    /// </summary>
    public static List<string> DataNodeArguments(int port, string directory) =>
    [
        "--port", RedisTools.Invariant(port), "--bind", "127.0.0.1", "--protected-mode", "no",
        "--save", "", "--appendonly", "no", "--dir", directory, "--loglevel", "warning",
        "--repl-diskless-sync-delay", "0",
    ];

    /// <summary>Whether the server answering INFO on <paramref name="port"/> is the process <paramref name="processId"/>.</summary>
    private static async Task<bool> AnswersAsAsync(int port, int processId, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("INFO server\r\n"u8.ToArray(), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("process_id:", StringComparison.Ordinal))
            {
                return line["process_id:".Length..] == RedisTools.Invariant(processId);
            }

            if (line.StartsWith('-'))
            {
                return false; // an error reply (still loading, or not a Redis at all)
            }
        }

        return false;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > KeptOutputLines && _output.TryDequeue(out _))
        {
        }
    }

    /// <summary>redis-server could not bind a port it was given: another process has it.</summary>
    private sealed class PortTakenException(string message) : InvalidOperationException(message);
}
