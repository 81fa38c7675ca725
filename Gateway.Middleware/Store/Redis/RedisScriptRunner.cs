using System.Runtime.CompilerServices;
using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// Runs the store's Lua scripts and knows nothing of what they do: each by its SHA1 (EVALSHA), by its source once when
/// Redis answers NOSCRIPT, within the store timeout, behind the circuit breaker; and undoes a call the gate gave up on,
/// should it land after all (<see cref="UndoIfLandedAsync"/>). The script comes as a <see cref="RedisScript"/>, wherever
/// its text was read from.
/// </summary>
internal sealed partial class RedisScriptRunner
{
    private readonly RedisConnection _redis;
    private readonly StoreCircuitBreaker _breaker;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly LogThrottle _throttle;
    private readonly RedisScriptSubstitution? _substitution;
    private volatile DatabaseCache? _databases;

    public RedisScriptRunner(RedisConnection redis, StoreCircuitBreaker breaker, TimeProvider timeProvider, TimeSpan timeout, ILogger logger, LogThrottle throttle, RedisScriptSubstitution? substitution = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(breaker);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(throttle);
        _redis = redis;
        _breaker = breaker;
        _timeProvider = timeProvider;
        _timeout = timeout;
        _logger = logger;
        _throttle = throttle;
        _substitution = substitution;
    }

    /// <summary>What the connection reaches (see <see cref="RedisConnection.Deployment"/>).</summary>
    public RedisDeployment Deployment => _redis.Deployment;

    /// <summary>
    /// Evaluates <paramref name="script"/> within the store timeout: by its hash, and once more by its source when Redis
    /// answers NOSCRIPT (nothing ran). Every other failure opens the breaker (unless it is about one key's data) and is
    /// thrown as <see cref="SmsCodeStoreUnavailableException"/>, which carries the call when it was sent, for
    /// <see cref="UndoIfLandedAsync"/>. <paramref name="honourBreaker"/> false sends even while the breaker is open (an
    /// undo, a release).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RedisResult> RunAsync(int database, RedisScript script, RedisKey[] keys, RedisValue[] values, bool honourBreaker)
    {
        if (!_redis.IsStarted)
        {
            await _redis.WaitUntilStartedAsync(_timeout).ConfigureAwait(false);
        }

        script = _substitution?.For(script) ?? script;
        var bySource = false;
        while (true)
        {
            // Throws when nothing was sent (breaker open, not connected): then there is nothing to undo later.
            var call = Send(database, script, bySource, keys, values, honourBreaker);
            try
            {
                var result = await call.WaitAsync(_timeout, _timeProvider).ConfigureAwait(false);
                _breaker.RecordSuccess();
                return result;
            }
            catch (RedisServerException ex) when (!bySource && RedisScript.IsNoScript(ex))
            {
                bySource = true;
            }
            catch (RedisServerException ex) when (RedisFailure.IsDataError(ex))
            {
                // The connection works: one of this request's keys holds what the script cannot use. Only this
                // request fails; the breaker, which would refuse every mobile, is left as it is.
                LogDataError(keys[0], ex);
                throw RedisFailure.Unavailable("Redis refused the call over the contents of a key of this request.", ex, call);
            }
            catch (Exception ex) when (RedisFailure.Is(ex))
            {
                _breaker.RecordFailure();
                throw RedisFailure.Unavailable(ex is TimeoutException ? "Redis did not answer in time." : "Redis failed the call.", ex, call);
            }
        }
    }

    /// <summary>PING within the store timeout, counted by the breaker like a script call.</summary>
    public async ValueTask PingAsync(CancellationToken cancellationToken)
    {
        if (!_redis.IsStarted)
        {
            await _redis.WaitUntilStartedAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }

        Task<TimeSpan> ping;
        try
        {
            ping = _redis.Multiplexer.GetDatabase().PingAsync();
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            _breaker.RecordFailure();
            throw RedisFailure.Unavailable("Redis did not answer PING.", ex);
        }

        try
        {
            await ping.WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            _breaker.RecordSuccess();
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            _breaker.RecordFailure();
            throw RedisFailure.Unavailable("Redis did not answer PING.", ex);
        }
    }

    /// <summary>
    /// Runs a take-back of a count (a Cluster side counter's or a block's), past the breaker. Never throws: a failure
    /// is logged, throttled, and the count expires with its window.
    /// </summary>
    public async Task TakeBackAsync(int database, RedisScript script, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            await RunAsync(database, script, keys, values, honourBreaker: false).ConfigureAwait(false);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            if (_throttle.ShouldLog(EventIds.ReleaseFailed, string.Empty, out var suppressed))
            {
                Log.ReleaseFailed(_logger, ex.Message, suppressed);
            }
        }
    }

    /// <summary>
    /// After the gate gave up on <paramref name="call"/> (an issue), waits for its real outcome and runs
    /// <paramref name="undo"/> unless <paramref name="wrote"/> says it wrote nothing, or it never reached Redis (the
    /// client library says so of a call it could not send: Redis stopped, the connection gone). When the outcome stays
    /// unknown the undo is sent anyway: it must delete only what this request wrote, and on the same connection it runs
    /// after the call if that ever ran. Never throws.
    /// </summary>
    public async Task UndoIfLandedAsync(Task<RedisResult> call, Func<RedisResult, bool> wrote, Func<ValueTask<bool>> undo)
    {
        try
        {
            if (!wrote(await call.ConfigureAwait(false)))
            {
                return;
            }
        }
        catch (RedisServerException)
        {
            // Redis answered with an error: the script stopped in its checks, before any write.
            return;
        }
        catch (Exception ex) when (RedisFailure.NeverSent(ex) is { } status)
        {
            Log.LateIssueNeverSent(_logger, RedisFailure.TypeOf(ex), status.ToString());
            return;
        }
        catch (Exception ex) when (ex is SmsCodeStoreUnavailableException || RedisFailure.Is(ex))
        {
            Log.LateIssueUnknown(_logger, ex.GetType().Name);
        }

        try
        {
            var undone = await undo().ConfigureAwait(false);
            Log.LateIssueRevoked(_logger, undone);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            Log.LateRevokeFailed(_logger, ex.Message);
        }
    }

    /// <summary>Sends a script, or throws <see cref="SmsCodeStoreUnavailableException"/> when it could not be sent at all.</summary>
    private Task<RedisResult> Send(int database, RedisScript script, bool bySource, RedisKey[] keys, RedisValue[] values, bool honourBreaker)
    {
        if (honourBreaker && _breaker.IsOpen)
        {
            throw new SmsCodeStoreUnavailableException("Redis failed moments ago; refusing at once until it recovers.", RedisFailure.BreakerOpen, null);
        }

        try
        {
            var db = DatabaseOf(database);
            return bySource ? db.ScriptEvaluateAsync(script.Source, keys, values) : db.ScriptEvaluateAsync(script.Hash, keys, values);
        }
        catch (SmsCodeStoreUnavailableException)
        {
            // Sentinel: no master known, or a failover under way.
            throw;
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            _breaker.RecordFailure();
            throw RedisFailure.Unavailable("Redis could not take the call.", ex);
        }
    }

    /// <summary>
    /// The database to send on, cached per connection: behind Sentinel the connection changes with the master, and
    /// the cache with it.
    /// </summary>
    private IDatabase DatabaseOf(int database)
    {
        var multiplexer = _redis.Multiplexer;
        var cache = _databases;
        if (cache is null || !ReferenceEquals(cache.Multiplexer, multiplexer))
        {
            cache = new DatabaseCache(multiplexer);
            _databases = cache;
        }

        if ((uint)database >= (uint)cache.Databases.Length)
        {
            return multiplexer.GetDatabase(database);
        }

        return cache.Databases[database] ??= multiplexer.GetDatabase(database);
    }

    private void LogDataError(RedisKey firstKey, RedisServerException exception)
    {
        if (_throttle.ShouldLog(EventIds.StoreDataError, string.Empty, out var suppressed))
        {
            // Redis's error code only (WRONGTYPE, ERR): the rest of its text is not the log's to repeat.
            var message = exception.Message;
            var end = message.IndexOfAny([' ', ':']);
            Log.DataError(_logger, StoreKeyMask.Mask(firstKey.ToString()), end > 0 ? message[..end] : message, suppressed);
        }
    }

    /// <summary>The databases of one connection (numbers 0 to 15), made on first use.</summary>
    private sealed class DatabaseCache(IConnectionMultiplexer multiplexer)
    {
        public IConnectionMultiplexer Multiplexer { get; } = multiplexer;

        public IDatabase?[] Databases { get; } = new IDatabase?[16];
    }
}
