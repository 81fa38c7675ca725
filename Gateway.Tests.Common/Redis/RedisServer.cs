using StackExchange.Redis;

namespace Gateway.Tests.Common.Redis;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, without persistence. It can be stopped and started again
/// on the same port to simulate an outage, or paused (SIGSTOP) to simulate one that answers nothing.
/// </summary>
public sealed class RedisServer : IAsyncDisposable, IPausable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);
    private readonly Lazy<ConnectionMultiplexer> _admin;
    private readonly string[] _extraArguments;
    private RedisProcess? _process;

    private RedisServer(RedisProcess process, string[] extraArguments)
    {
        _process = process;
        Port = process.Port;
        _extraArguments = extraArguments;
        _admin = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(
            new ConfigurationOptions { EndPoints = { { "127.0.0.1", Port } }, AllowAdmin = true, AbortOnConnectFail = false }));
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A connection for test assertions (reading keys and TTLs, INFO).</summary>
    public ConnectionMultiplexer Admin => _admin.Value;

    public IDatabase Database(int db = 2) => Admin.GetDatabase(db);

    public IServer Server => Admin.GetServer("127.0.0.1", Port);

    public static async Task<RedisServer> StartNewAsync(params string[] extraArguments)
    {
        var server = new RedisServer(await RedisProcess.StartOnFreePortAsync(port => Arguments(port, extraArguments)), extraArguments);
        await server.WaitUntilAdminConnectedAsync();
        return server;
    }

    /// <summary>Starts the process again, after <see cref="StopAsync"/>, on the same port (its clients know no other).</summary>
    public async Task StartAsync()
    {
        _process = await RedisProcess.StartAsync(Port, Arguments(Port, _extraArguments));
        await WaitUntilAdminConnectedAsync();
    }

    /// <summary>Kills the process (a crash, not a shutdown) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Stops the process with SIGSTOP: connections to it stay open, but nothing is answered until <see cref="ResumeAsync"/>.</summary>
    public Task PauseAsync() => Running.PauseAsync();

    /// <summary>Lets the process paused by <see cref="PauseAsync"/> run again; it then answers what it was sent meanwhile.</summary>
    public Task ResumeAsync() => Running.ResumeAsync();

    /// <inheritdoc/>
    public Task ResumeIfPausedAsync() => _process?.ResumeIfPausedAsync() ?? Task.CompletedTask;

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

    /// <summary>
    /// Kills the process first (SIGKILL ends a paused one too), then closes the admin connection: closed the other way
    /// round, a server a failed test left paused would keep the close waiting on it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_admin.IsValueCreated)
        {
            await _admin.Value.DisposeAsync();
        }
    }

    private RedisProcess Running => _process ?? throw new InvalidOperationException($"redis-server on port {Port} is stopped.");

    // A data node like a cluster's or a sentinel group's; nothing is persisted, so it needs no directory of its own.
    private static string[] Arguments(int port, string[] extraArguments) =>
        [.. RedisProcess.DataNodeArguments(port, Path.GetTempPath()), .. extraArguments];

    /// <summary>Waits until this server answers the admin connection, not just accepts: it may still be reconnecting.</summary>
    private async Task WaitUntilAdminConnectedAsync()
    {
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        while (!Admin.IsConnected)
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
