using System.Diagnostics;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, without persistence. It can be stopped and started again
/// on the same port to simulate an outage.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly Lazy<ConnectionMultiplexer> _admin;
    private Process? _process;

    private readonly string[] _extraArguments;

    private RedisServer(int port, string[] extraArguments)
    {
        Port = port;
        _extraArguments = extraArguments;
        _admin = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(
            new ConfigurationOptions { EndPoints = { { "127.0.0.1", Port } }, AllowAdmin = true, AbortOnConnectFail = false }));
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A connection for test assertions (reading keys and TTLs, INFO, DEBUG SLEEP).</summary>
    public ConnectionMultiplexer Admin => _admin.Value;

    public IDatabase Database(int db = 2) => Admin.GetDatabase(db);

    public IServer Server => Admin.GetServer("127.0.0.1", Port);

    public static async Task<RedisServer> StartNewAsync(params string[] extraArguments)
    {
        var server = new RedisServer(FreePort.Next(), extraArguments);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the process (again, after <see cref="StopAsync"/>) on the same port.</summary>
    public async Task StartAsync()
    {
        var startInfo = new ProcessStartInfo(FindExecutable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning" }.Concat(_extraArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        _process = Process.Start(startInfo) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
                break;
            }
            catch (SocketException) when (!timeout.IsCancellationRequested && !_process.HasExited)
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        // Wait until this server answers, not just accepts: the admin connection may still be reconnecting.
        while (!Admin.IsConnected)
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Delay(20, timeout.Token);
        }
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Commands run so far by name, from INFO commandstats (e.g. "evalsha" → 3).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CommandCountsAsync()
    {
        var info = await Server.InfoAsync("commandstats");
        var counts = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in info.SelectMany(group => group))
        {
            // cmdstat_evalsha => calls=3,usec=...
            var name = pair.Key.StartsWith("cmdstat_", StringComparison.Ordinal) ? pair.Key["cmdstat_".Length..] : pair.Key;
            var calls = pair.Value.Split(',')[0];
            counts[name] = long.Parse(calls["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    }

    /// <summary>
    /// Commands run so far, of every name but INFO (these reads are INFO, and so are the client library's periodic
    /// checks): a test that says nothing reached Redis compares this before and after.
    /// </summary>
    public async Task<long> CommandsRunAsync() =>
        (await CommandCountsAsync()).Where(pair => !pair.Key.Equals("info", StringComparison.OrdinalIgnoreCase)).Sum(pair => pair.Value);

    public async ValueTask DisposeAsync()
    {
        if (_admin.IsValueCreated)
        {
            await _admin.Value.DisposeAsync();
        }

        await StopAsync();
    }

    private static string FindExecutable()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("redis-server was not found on PATH. Install it (Debian: apt-get install redis-server) or run the README's test command, which does.");
    }
}
