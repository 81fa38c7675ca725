using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store.Redis.Sentinel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// The process's one Redis connection, opened in the background from the store's options (an application's own
/// multiplexer, or its configuration; by default <c>SmsCodeGate:Redis</c>), and what kind of deployment it reaches. An
/// <see cref="IConnectionMultiplexer"/> the application registers for itself is not used.
/// A configuration string with <c>serviceName=</c> names sentinels: the master they name is then tracked by
/// <see cref="SentinelMasterConnection"/>.
/// </summary>
/// <remarks>
/// Nothing waits for Redis: <see cref="Start"/> (called by <see cref="RedisConnectionStarter"/> as the host starts, or
/// by the first store call) begins connecting and returns, so the gateway listens at once. Until a connection exists,
/// <see cref="Multiplexer"/> throws <see cref="SmsCodeStoreUnavailableException"/>: gated requests are answered 503 and
/// readiness is 503, without opening the breaker.
/// </remarks>
internal sealed partial class RedisConnection : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly Func<Task<IConnectionMultiplexer>>? _connect;
    private readonly SentinelMasterConnection? _sentinel;
    private readonly bool _owned;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _startLock = new();
    private readonly CancellationTokenSource _disposing = new();
    private volatile IConnectionMultiplexer? _multiplexer;
    private volatile RedisDeployment _deployment;
    private Task? _connecting;
    private volatile bool _started;
    private long _retryAt;

    public RedisConnection(
        IOptions<RedisSmsCodeStoreOptions> options,
        TimeProvider timeProvider,
        ILogger<SentinelMasterConnection> sentinelLogger,
        ILogger<RedisConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(sentinelLogger);
        ArgumentNullException.ThrowIfNull(logger);
        _timeProvider = timeProvider;
        _logger = logger;
        var store = options.Value;
        if (store.ConnectionMultiplexerFactory is { } factory)
        {
            // The application's own connection, opened once in the background and left for the application to dispose.
            _connect = factory;
        }
        else if (store.HasConnection)
        {
            var configuration = RedisConnectionFactory.CreateOptions(store);
            if (!string.IsNullOrEmpty(configuration.ServiceName))
            {
                _sentinel = new SentinelMasterConnection(configuration, timeProvider, sentinelLogger);
                _deployment = RedisDeployment.Sentinel;
            }
            else
            {
                // AbortOnConnectFail is off (RedisConnectionFactory): the task ends within the connect timeout even
                // when Redis does not answer, with a multiplexer that keeps reconnecting by itself.
                _connect = async () => await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
            }

            _owned = true;
        }
    }

    /// <summary>False when no Redis is configured: the gate then uses its in-process store.</summary>
    public bool IsConfigured => _connect is not null || _multiplexer is not null || _sentinel is not null;

    /// <summary>
    /// The connection to send a call on. Behind Sentinel it is the current master's. Throws
    /// <see cref="SmsCodeStoreUnavailableException"/> while there is none yet (connecting, no master known, a failover).
    /// </summary>
    public IConnectionMultiplexer Multiplexer
    {
        get
        {
            if (_sentinel is not null)
            {
                Start();
                return _sentinel.Current;
            }

            if (_multiplexer is { } multiplexer)
            {
                return multiplexer;
            }

            if (!IsConfigured)
            {
                throw new InvalidOperationException("SmsCodeGate:Redis is not configured.");
            }

            Start();
            return _multiplexer ?? throw new SmsCodeStoreUnavailableException("Redis is not connected yet.", RedisFailure.Connection, null);
        }
    }

    /// <summary>
    /// What the connection reaches. Sentinel is known from the configuration; otherwise the first connected server
    /// tells (a cluster node says so), and until one has answered it is <see cref="RedisDeployment.Unknown"/>.
    /// </summary>
    public RedisDeployment Deployment
    {
        get
        {
            if (_deployment == RedisDeployment.Unknown && _multiplexer is { } multiplexer)
            {
                var connected = multiplexer.GetServers().Where(server => server.IsConnected).ToList();
                if (connected.Count > 0)
                {
                    _deployment = connected.Any(server => server.ServerType == ServerType.Cluster) ? RedisDeployment.Cluster : RedisDeployment.Standalone;
                }
            }

            return _deployment;
        }
    }

    /// <summary>
    /// True once the connection exists: the multiplexer is made (connected or reconnecting by itself), or behind
    /// Sentinel the sentinels have been asked for the master once.
    /// </summary>
    public bool IsStarted => _started || (_multiplexer is not null && _sentinel is null);

    /// <summary>
    /// Begins connecting, in the background, unless a connection exists or is being made; after a failed attempt, again
    /// once a second has passed. Returns at once; the returned task ends when this attempt does, and never faults.
    /// </summary>
    public Task Start()
    {
        if (IsStarted)
        {
            return Task.CompletedTask;
        }

        lock (_startLock)
        {
            if (_connecting is null || (_connecting.IsCompleted && !_started && _timeProvider.GetTimestamp() >= Volatile.Read(ref _retryAt)))
            {
                _connecting = Task.Run(ConnectAsync);
            }

            return _connecting;
        }
    }

    /// <summary>
    /// Waits for the connection being opened, at most <paramref name="timeout"/> (the store timeout): a call made in
    /// the first moments after start-up is served as soon as Redis answers, and one made while Redis does not answer is
    /// refused after the same wait as any call Redis leaves unanswered. Never throws for the wait itself.
    /// </summary>
    public async ValueTask WaitUntilStartedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await Start().WaitAsync(timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still connecting: the caller gets the store-unavailable answer.
        }
    }

    private async Task ConnectAsync()
    {
        try
        {
            if (_sentinel is not null)
            {
                await _sentinel.StartAsync().ConfigureAwait(false);
                _started = true;
                return;
            }

            var multiplexer = await _connect!().ConfigureAwait(false);
            if (_disposing.IsCancellationRequested)
            {
                if (_owned)
                {
                    await multiplexer.DisposeAsync().ConfigureAwait(false);
                }

                return;
            }

            _multiplexer = multiplexer;
            _started = true;
        }
        catch (Exception ex) when (!_disposing.IsCancellationRequested)
        {
            Volatile.Write(ref _retryAt, _timeProvider.GetTimestamp() + (long)(RetryInterval.TotalSeconds * _timeProvider.TimestampFrequency));
            // The type only: a connection failure's text may repeat the configuration, password included.
            Log.ConnectFailed(_logger, ex.GetType().Name);
        }
    }

    public void Dispose()
    {
        _disposing.Cancel();
        if (_owned && _sentinel is null)
        {
            _multiplexer?.Dispose();
        }

        _sentinel?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.StoreNotConnected, LogLevel.Warning, "Could not open the Redis connection ({ExceptionType}); the gate answers 503 and tries again.", EventName = nameof(EventIds.StoreNotConnected))]
        public static partial void ConnectFailed(ILogger logger, string exceptionType);
    }
}
