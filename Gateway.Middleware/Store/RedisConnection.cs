using Gateway.Middleware.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Middleware.Store;

/// <summary>
/// The process's one Redis connection, opened on first use from the store's options (an application's own
/// multiplexer, or its configuration; by default <c>SmsCodeGate:Redis</c>), or the <see cref="IConnectionMultiplexer"/>
/// the application registered, and what kind of deployment it reaches.
/// A configuration string with <c>serviceName=</c> names sentinels: the master they name is then tracked by
/// <see cref="SentinelMasterConnection"/>.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly Lazy<IConnectionMultiplexer>? _multiplexer;
    private readonly Lazy<SentinelMasterConnection>? _sentinel;
    private readonly bool _owned;
    private volatile RedisDeployment _deployment;

    public RedisConnection(
        IOptions<RedisSmsCodeStoreOptions> options,
        IEnumerable<IConnectionMultiplexer> registeredConnections,
        TimeProvider timeProvider,
        ILogger<SentinelMasterConnection> sentinelLogger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registeredConnections);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(sentinelLogger);
        var registered = registeredConnections.LastOrDefault();
        var store = options.Value;
        if (store.ConnectionMultiplexerFactory is { } factory)
        {
            // The application's own connection, opened once on first use and left for the application to dispose.
            _multiplexer = new Lazy<IConnectionMultiplexer>(() => factory().GetAwaiter().GetResult());
        }
        else if (registered is not null)
        {
            _multiplexer = new Lazy<IConnectionMultiplexer>(registered);
        }
        else if (store.HasConnection)
        {
            var configuration = RedisConnectionFactory.CreateOptions(store);
            if (!string.IsNullOrEmpty(configuration.ServiceName))
            {
                _sentinel = new Lazy<SentinelMasterConnection>(() => new SentinelMasterConnection(configuration, timeProvider, sentinelLogger));
                _deployment = RedisDeployment.Sentinel;
            }
            else
            {
                _multiplexer = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(configuration));
            }

            _owned = true;
        }
    }

    /// <summary>False when no Redis is configured: the gate then uses its in-process store.</summary>
    public bool IsConfigured => _multiplexer is not null || _sentinel is not null;

    /// <summary>
    /// The connection to send a call on. Behind Sentinel it is the current master's, and throws
    /// <see cref="SmsCodeStoreUnavailableException"/> while none is known or a failover runs.
    /// </summary>
    public IConnectionMultiplexer Multiplexer =>
        _sentinel?.Value.Current
        ?? _multiplexer?.Value
        ?? throw new InvalidOperationException("SmsCodeGate:Redis is not configured.");

    /// <summary>
    /// What the connection reaches. Sentinel is known from the configuration; otherwise the first connected server
    /// tells (a cluster node says so), and until one has answered it is <see cref="RedisDeployment.Unknown"/>.
    /// </summary>
    public RedisDeployment Deployment
    {
        get
        {
            if (_deployment == RedisDeployment.Unknown && IsConfigured)
            {
                var connected = Multiplexer.GetServers().Where(server => server.IsConnected).ToList();
                if (connected.Count > 0)
                {
                    _deployment = connected.Any(server => server.ServerType == ServerType.Cluster) ? RedisDeployment.Cluster : RedisDeployment.Standalone;
                }
            }

            return _deployment;
        }
    }

    public void Dispose()
    {
        if (_owned && _multiplexer is { IsValueCreated: true })
        {
            _multiplexer.Value.Dispose();
        }

        if (_sentinel is { IsValueCreated: true })
        {
            _sentinel.Value.Dispose();
        }
    }
}
