using Gateway.Middleware.Configuration;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store;

/// <summary>The shared store: one script call per issue, bounded by the store timeout and a circuit breaker.</summary>
internal sealed partial class RedisSmsCodeStore : ISmsCodeStore
{
    private readonly IConnectionMultiplexer _connection;
    private readonly StoreCircuitBreaker _breaker;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly ILogger<RedisSmsCodeStore> _logger;

    public RedisSmsCodeStore(
        IConnectionMultiplexer connection,
        SmsCodePolicyRegistry registry,
        StoreCircuitBreaker breaker,
        TimeProvider timeProvider,
        ILogger<RedisSmsCodeStore> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(breaker);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _connection = connection;
        _breaker = breaker;
        _timeProvider = timeProvider;
        _timeout = registry.Options.StoreTimeout;
        _logger = logger;
    }

    public bool IsShared => true;

    /// <summary>The connection, for diagnostics (operation counts).</summary>
    internal IConnectionMultiplexer Connection => _connection;

    public async ValueTask<SmsCodeIssueResult> TryIssueAsync(SmsCodeIssueRequest request)
    {
        var started = _timeProvider.GetTimestamp();
        var call = StartScript(request.Database, RedisScripts.Issue, KeysOf(request),
            [
                request.Code, request.SendIntervalMilliseconds, request.CodeLifetimeMilliseconds,
                request.PerHour.Limit, request.PerDay.Limit, request.PerIpPerHour.Limit, request.SendsPerMinute.Limit,
                SmsCodeCounter.HourMilliseconds, SmsCodeCounter.DayMilliseconds, SmsCodeCounter.HourMilliseconds, SmsCodeCounter.MinuteMilliseconds,
            ],
            honourBreaker: true);
        RedisResult result;
        try
        {
            result = await AwaitInTimeAsync(call).ConfigureAwait(false);
        }
        catch (SmsCodeStoreUnavailableException)
        {
            // The script may still run after we gave up on it; if it issued, nothing will forward, so undo it.
            _ = RevokeIfIssuedLateAsync(call, request, started);
            throw;
        }

        var values = (RedisResult[])result!;
        return new SmsCodeIssueResult((SmsCodeRefusal)(int)values[0], (long)values[1]);
    }

    public async ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request, long elapsedMilliseconds)
    {
        var call = StartScript(request.Database, RedisScripts.Revoke, KeysOf(request),
            [
                request.Code, request.MaxOwnFlagMilliseconds(elapsedMilliseconds),
                request.PerHour.Limit, request.PerDay.Limit, request.PerIpPerHour.Limit, request.SendsPerMinute.Limit,
            ],
            honourBreaker: false);
        return (int)await AwaitInTimeAsync(call).ConfigureAwait(false) == 1;
    }

    public async ValueTask PingAsync(CancellationToken cancellationToken)
    {
        Task<TimeSpan> ping;
        try
        {
            ping = _connection.GetDatabase().PingAsync();
        }
        catch (RedisException ex)
        {
            _breaker.RecordFailure();
            throw new SmsCodeStoreUnavailableException("Redis did not answer PING.", ex);
        }

        try
        {
            await ping.WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            _breaker.RecordSuccess();
        }
        catch (Exception ex) when (ex is TimeoutException or RedisException)
        {
            _breaker.RecordFailure();
            throw new SmsCodeStoreUnavailableException("Redis did not answer PING.", ex);
        }
    }

    private static RedisKey[] KeysOf(in SmsCodeIssueRequest request) =>
    [
        request.SendFlagKey,
        request.CodeKey,
        CounterKey(request.PerHour, request.SendFlagKey),
        CounterKey(request.PerDay, request.SendFlagKey),
        CounterKey(request.PerIpPerHour, request.SendFlagKey),
        CounterKey(request.SendsPerMinute, request.SendFlagKey),
    ];

    private static string CounterKey(SmsCodeCounter counter, string unused) => counter.IsOn ? counter.Key! : unused;

    private Task<RedisResult> StartScript(int database, string script, RedisKey[] keys, RedisValue[] values, bool honourBreaker)
    {
        if (honourBreaker && _breaker.IsOpen)
        {
            return Task.FromException<RedisResult>(new SmsCodeStoreUnavailableException("Redis failed moments ago; refusing at once until it recovers."));
        }

        try
        {
            return _connection.GetDatabase(database).ScriptEvaluateAsync(script, keys, values);
        }
        catch (RedisException ex)
        {
            _breaker.RecordFailure();
            return Task.FromException<RedisResult>(new SmsCodeStoreUnavailableException("Redis is not connected.", ex));
        }
    }

    private async Task<RedisResult> AwaitInTimeAsync(Task<RedisResult> call)
    {
        try
        {
            var result = await call.WaitAsync(_timeout, _timeProvider).ConfigureAwait(false);
            _breaker.RecordSuccess();
            return result;
        }
        catch (SmsCodeStoreUnavailableException)
        {
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException or RedisException)
        {
            _breaker.RecordFailure();
            throw new SmsCodeStoreUnavailableException("Redis did not answer in time.", ex);
        }
    }

    /// <summary>
    /// After the gate gave up on an issue call, waits for its real outcome and revokes unless it was refused.
    /// When the outcome stays unknown the revoke is sent anyway: it deletes only keys that hold this request's
    /// code, and on the same connection it runs after the issue call if that ever ran.
    /// </summary>
    private async Task RevokeIfIssuedLateAsync(Task<RedisResult> call, SmsCodeIssueRequest request, long started)
    {
        try
        {
            var values = (RedisResult[])(await call.ConfigureAwait(false))!;
            if ((int)values[0] != (int)SmsCodeRefusal.None)
            {
                return;
            }
        }
        catch (Exception ex) when (ex is SmsCodeStoreUnavailableException or RedisException or TimeoutException)
        {
            Log.LateIssueUnknown(_logger, ex.GetType().Name);
        }

        try
        {
            var elapsed = (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds;
            var revoked = await RevokeAsync(request, elapsed).ConfigureAwait(false);
            Log.LateIssueRevoked(_logger, revoked);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            // Redis is still away: the flag, if it was ever written, expires with its TTL.
            Log.LateRevokeFailed(_logger, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Warning, "An issue call that the gate gave up on was revoked afterwards; keys deleted: {Revoked}.", EventName = "LateIssueRevoked")]
        public static partial void LateIssueRevoked(ILogger logger, bool revoked);

        [LoggerMessage(11, LogLevel.Debug, "An issue call that the gate gave up on never completed ({FailureKind}); revoking blindly.", EventName = "LateIssueUnknown")]
        public static partial void LateIssueUnknown(ILogger logger, string failureKind);

        [LoggerMessage(12, LogLevel.Warning, "Could not revoke an issue call that the gate gave up on: {StoreFailure}. Its flag, if written, expires with its TTL.", EventName = "LateRevokeFailed")]
        public static partial void LateRevokeFailed(ILogger logger, string storeFailure);
    }
}
