using System.Net;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway host (its Program) in a test server, loading a configuration file written for the test with
/// <c>--config</c>, and capturing its logs at the levels its own appsettings.json sets.
/// </summary>
public sealed class GatewayHost : WebApplicationFactory<Program>
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-test-").FullName;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _configureServices;

    private readonly LogLevel? _gateLogLevel;
    private readonly FakeLoggerProvider _logProvider;

    /// <param name="gateLogLevel">
    /// When set, the gateway's own categories (<c>Gateway.*</c>) are captured from this level, Debug and Trace included,
    /// so that a scan for leaks sees every event the gate can write; other categories keep the shipped levels.
    /// </param>
    public GatewayHost(
        GatewayConfig config,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        LogLevel? gateLogLevel = null)
    {
        _gateLogLevel = gateLogLevel;
        ArgumentNullException.ThrowIfNull(config);
        ConfigPath = config.WriteTo(Path.Combine(_directory, "gateway.json"));
        _settings = settings ?? new Dictionary<string, string?>();
        _configureServices = configureServices;
        _logProvider = new FakeLoggerProvider(Logs);
    }

    public string ConfigPath { get; }

    /// <summary>Every record the host logged, at the levels it was started with; read it with <see cref="FakeLogRecordExtensions.FullText"/>.</summary>
    public FakeLogCollector Logs { get; } = new();

    /// <summary>
    /// The longest a start waits for the store's first connection attempt to end: the library's connect timeout, with
    /// room for a loaded machine.
    /// </summary>
    private static readonly TimeSpan StoreConnectBound = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts the host now, so that start-up failures surface here, and lets the store's first connection attempt end
    /// (connected or not): the gateway opens it in the background, and a test that counts Redis commands or expects a
    /// code at once must not see the handshake land in the middle. StartWithoutRedisTests covers the start itself.
    /// </summary>
    public GatewayHost Start()
    {
        _ = Server;
        AwaitStoreConnectionAttempt();
        return this;
    }

    /// <summary>
    /// Waits (30 s at most) until the host's Redis connection is up, for a test whose first request is not about
    /// connecting. On a loaded machine the first connect can outlast the store timeout, and a request sent meanwhile
    /// is refused at once (the connection fails fast while it is down): a 503 that says how busy the machine was, not
    /// what the gate does. No wait for the in-process store. Sends nothing through the store, so its breaker is left
    /// alone.
    /// </summary>
    public GatewayHost WaitUntilConnected()
    {
        var redis = Services.GetRequiredService<RedisConnection>();
        if (redis.IsConfigured && !SpinWait.SpinUntil(() => IsConnected(redis), TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The gateway's Redis connection did not come up within 30 s.");
        }

        return this;
    }

    // The connection throws while its first connect is still under way (it has no multiplexer yet).
    private static bool IsConnected(RedisConnection redis)
    {
        try
        {
            return redis.Multiplexer.IsConnected;
        }
        catch (SmsCodeStoreUnavailableException)
        {
            return false;
        }
    }

    /// <summary>
    /// Starts the host on Kestrel, for tests that need real connections (client IPs, shutdown), on a loopback port the
    /// server binds itself (port 0); its clients get the bound address. The port goes in Kestrel's options, not in the
    /// server's address list: the host may already be starting when the factory would write that list.
    /// </summary>
    public GatewayHost StartOnKestrel()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        AwaitStoreConnectionAttempt();
        return this;
    }

    private void AwaitStoreConnectionAttempt()
    {
        if (Services.GetService<RedisConnection>() is { IsConfigured: true } redis && !redis.Start().Wait(StoreConnectBound))
        {
            throw new TimeoutException($"The store's first connection attempt did not end within {StoreConnectBound}.");
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("config", ConfigPath);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(_logProvider);
            if (_gateLogLevel is { } level)
            {
                logging.AddFilter<FakeLoggerProvider>("Gateway", level);
            }
        });
        if (_configureServices is not null)
        {
            builder.ConfigureServices(_configureServices);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _logProvider.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
