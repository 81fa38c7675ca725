using System.Runtime.CompilerServices;
using Gateway.Middleware.Configuration;
using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store;

/// <summary>
/// The shared store: one script call per issue, bounded by the store timeout and a circuit breaker.
/// On Redis Cluster the per-IP and spend counters live in other hash slots than the mobile's keys; they are
/// counted by their own scripts first (RedisSmsCodeStore.SideCounters.cs); an issue the gate gave up on is revoked when
/// it lands (RedisSmsCodeStore.LateRevoke.cs). Its logs are in RedisSmsCodeStore.Log.cs, the verify calls in
/// RedisSmsCodeStore.Verify.cs.
/// </summary>
internal sealed partial class RedisSmsCodeStore : ISmsCodeStore
{
    private readonly RedisConnection _redis;
    private readonly StoreCircuitBreaker _breaker;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly ILogger<RedisSmsCodeStore> _logger;
    private readonly LogThrottle _throttle;
    private readonly RedisScripts _scripts;
    private volatile DatabaseCache? _databases;

    public RedisSmsCodeStore(
        RedisConnection redis,
        Microsoft.Extensions.Options.IOptions<RedisSmsCodeStoreOptions> options,
        StoreCircuitBreaker breaker,
        TimeProvider timeProvider,
        ILogger<RedisSmsCodeStore> logger,
        LogThrottle throttle,
        RedisScripts? scripts = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(breaker);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(throttle);
        _redis = redis;
        _breaker = breaker;
        _timeProvider = timeProvider;
        _timeout = options.Value.StoreTimeout;
        _logger = logger;
        _throttle = throttle;
        _scripts = scripts ?? RedisScripts.Embedded;
    }

    public bool IsShared => true;

    public ValueTask<SmsCodeIssueResult> TryIssueAsync(SmsCodeIssueRequest request) =>
        CountsOutsideTheMobilesSlot(request) ? IssueWithSideCountersAsync(request) : IssueAtomicallyAsync(request);

    public async ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request)
    {
        var sideCounted = CountsOutsideTheMobilesSlot(request);
        var own = sideCounted ? WithoutSideCounters(request) : request;
        var values = new RedisValue[2 + FeatureValueCountOf(own)];
        values[0] = own.Nonce;
        values[1] = (int)(FeaturesOf(own) & ~IssueFeatures.Audit);
        FillFeatureValues(own, values, 2);
        var keys = KeysOf(own, new RedisKey[KeyCountOf(own, withAudit: false)], withAudit: false);
        var answer = await EvaluateAsync(own.Database, _scripts.Revoke, keys, values, honourBreaker: false).ConfigureAwait(false);
        var revoked = (int)answer == 1;
        if (revoked && sideCounted)
        {
            await ReleaseAsync(request.Database, SideCountersOf(request)).ConfigureAwait(false);
        }

        return revoked;
    }

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

    // The hot path (one per gated request): pooled, so that awaiting Redis allocates no state machine, and its
    // KEYS and ARGV arrays reused (see RedisArguments).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SmsCodeIssueResult> IssueAtomicallyAsync(SmsCodeIssueRequest request)
    {
        var keys = KeysOf(request, RedisArguments.RentKeys(KeyCountOf(request, withAudit: true)), withAudit: true);
        var values = RedisArguments.RentValues(5 + FeatureValueCountOf(request) + (request.Audit.IsOn ? 3 : 0));
        values[0] = request.Code;
        values[1] = request.SendIntervalMilliseconds;
        values[2] = request.CodeLifetimeMilliseconds;
        values[3] = request.Nonce;
        values[4] = (int)FeaturesOf(request);
        var next = FillFeatureValues(request, values, 5);
        if (request.Audit.IsOn)
        {
            values[next] = RedisScripts.AuditStreamMaxLength;
            values[next + 1] = request.Audit.Policy;
            values[next + 2] = request.Audit.MaskedMobile;
        }

        RedisResult answer;
        try
        {
            answer = await EvaluateAsync(request.Database, _scripts.Issue, keys, values, honourBreaker: true).ConfigureAwait(false);
        }
        catch (SmsCodeStoreUnavailableException ex) when (ex.SentCall is { } call)
        {
            // The script may still run after we gave up on it; if it issued, nothing will forward, so undo it.
            _ = RevokeIfIssuedLateAsync(call, request);
            throw;
        }

        RedisArguments.Return(keys, values);
        return ResultOf(answer);
    }

    private static SmsCodeIssueResult ResultOf(RedisResult result)
    {
        try
        {
            var values = (RedisResult[])result!;
            var nonce = values.Length > 2 ? (string?)values[2] : null;
            return new SmsCodeIssueResult((SmsCodeRefusal)(int)values[0], (long)values[1], string.IsNullOrEmpty(nonce) ? null : nonce)
            {
                Block = values.Length > 6
                    ? new SmsCodeBlockOutcome((SmsCodeRefusal)(int)values[3], (int)values[4] == 1, (long)values[5], (long)values[6])
                    : default,
            };
        }
        catch (Exception ex) when (ex is InvalidCastException or IndexOutOfRangeException)
        {
            throw RedisFailure.Unavailable("Redis answered the issue script with an unexpected shape.", ex);
        }
    }

    private static int KeyCountOf(in SmsCodeIssueRequest request, bool withAudit) =>
        3 + (request.CountsAny ? 4 : 0) + (request.Block.IsOn ? 4 : 0) + (withAudit && request.Audit.IsOn ? 1 : 0);

    /// <summary>Fills the scripts' KEYS: the counters' and the audit stream's only when on (see issue.lua).</summary>
    private static RedisKey[] KeysOf(in SmsCodeIssueRequest request, RedisKey[] keys, bool withAudit)
    {
        keys[0] = request.SendFlagKey;
        keys[1] = request.CodeKey;
        keys[2] = request.CodeStateKey;
        if (request.CountsAny)
        {
            keys[3] = CounterKey(request.PerHour, request.SendFlagKey);
            keys[4] = CounterKey(request.PerDay, request.SendFlagKey);
            keys[5] = CounterKey(request.PerIpPerHour, request.SendFlagKey);
            keys[6] = CounterKey(request.SendsPerMinute, request.SendFlagKey);
        }

        if (request.Block.IsOn)
        {
            var at = request.CountsAny ? 7 : 3;
            keys[at] = request.Block.CounterKey;
            keys[at + 1] = request.Block.HourCounterKey;
            keys[at + 2] = request.Block.BlockedKey;
            keys[at + 3] = request.Block.RememberedKey;
        }

        if (withAudit && request.Audit.IsOn)
        {
            keys[^1] = request.Audit.StreamKey!;
        }

        return keys;
    }

    private static string CounterKey(SmsCodeCounter counter, string unused) => counter.IsOn ? counter.Key! : unused;

    /// <summary>
    /// Evaluates a script within the store timeout: by its hash, and once more by its source when Redis answers
    /// NOSCRIPT (nothing ran). Every other failure opens the breaker and is thrown as
    /// <see cref="SmsCodeStoreUnavailableException"/>, which carries the call when it was sent: an issue the gate gave
    /// up on is revoked when it lands, as nothing will forward its code.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RedisResult> EvaluateAsync(
        int database, RedisScript script, RedisKey[] keys, RedisValue[] values, bool honourBreaker)
    {
        if (!_redis.IsStarted)
        {
            await _redis.WaitUntilStartedAsync(_timeout).ConfigureAwait(false);
        }

        var bySource = false;
        while (true)
        {
            // Throws when nothing was sent (breaker open, not connected): then there is nothing to revoke later.
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
}
