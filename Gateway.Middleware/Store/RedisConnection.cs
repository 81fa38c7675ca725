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
    private volatile int _deployment;

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
                _deployment = 1;
            }
            else
            {
                _multiplexer = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(configuration));
            }

            _owned = true;
        }
    }

    /// <summary>True when the configuration names a Sentinel service: the master is tracked by <see cref="SentinelMasterConnection"/>.</summary>
    public bool IsSentinel => _sentinel is not null;

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

    /// <summary>True for Redis Cluster, false for a single server or Sentinel; null while no server has answered yet.</summary>
    public bool? IsCluster
    {
        get
        {
            if (_deployment == 0 && IsConfigured)
            {
                var connected = Multiplexer.GetServers().Where(server => server.IsConnected).ToList();
                if (connected.Count > 0)
                {
                    _deployment = connected.Any(server => server.ServerType == ServerType.Cluster) ? 2 : 1;
                }
            }

            return _deployment == 0 ? null : _deployment == 2;
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
