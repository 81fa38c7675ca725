using System.Runtime.CompilerServices;
using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// The shared store: each operation one script (<see cref="RedisScripts"/>) on the mobile's keys, run by
/// <see cref="RedisScriptRunner"/> (timeout, breaker, NOSCRIPT, the late revoke). On Redis Cluster the counters that
/// cannot share the mobile's hash slot are counted around it by <see cref="RedisSideCounters"/>.
/// </summary>
internal sealed class RedisSmsCodeStore : ISmsCodeStore
{
    private static readonly Func<RedisResult, bool> Issued = static answer => ResultOf(answer).IsIssued;
    private readonly RedisScriptRunner _scripts;
    private readonly RedisSideCounters _sideCounters;
    private readonly Func<SmsCodeIssueRequest, ValueTask<SmsCodeIssueResult>> _issueOwn;
    private readonly Func<SmsCodeIssueRequest, ValueTask<bool>> _revokeOwn;

    public RedisSmsCodeStore(
        RedisConnection redis,
        Microsoft.Extensions.Options.IOptions<RedisSmsCodeStoreOptions> options,
        StoreCircuitBreaker breaker,
        TimeProvider timeProvider,
        ILogger<RedisSmsCodeStore> logger,
        LogThrottle throttle,
        RedisScriptSubstitution? substitution = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _scripts = new RedisScriptRunner(redis, breaker, timeProvider, options.Value.StoreTimeout, logger, throttle, substitution);
        _sideCounters = new RedisSideCounters(_scripts, logger);
        _issueOwn = IssueAtomicallyAsync;
        _revokeOwn = RevokeOwnAsync;
    }

    public bool IsShared => true;

    public ValueTask<SmsCodeIssueResult> TryIssueAsync(SmsCodeIssueRequest request) =>
        _sideCounters.AppliesTo(request) ? _sideCounters.IssueAsync(request, _issueOwn) : IssueAtomicallyAsync(request);

    public ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request) =>
        _sideCounters.AppliesTo(request) ? _sideCounters.RevokeAsync(request, _revokeOwn) : RevokeOwnAsync(request);

    public ValueTask PingAsync(CancellationToken cancellationToken) => _scripts.PingAsync(cancellationToken);

    public async ValueTask<SmsCodeVerifyResult> CountAttemptAsync(SmsCodeVerifyRequest request, string attempt)
    {
        RedisValue[] values =
            [request.MaxAttempts, request.FailuresPerDay.Limit, request.FailuresPerDay.WindowMilliseconds, request.CodeLifetimeMilliseconds, request.HoldMilliseconds, attempt];
        var answer = await _scripts.RunAsync(request.Database, RedisScripts.CountAttempt, KeysOf(request), values, honourBreaker: true).ConfigureAwait(false);
        return VerifyResultOf(answer);
    }

    public async ValueTask UseUpAsync(SmsCodeVerifyRequest request, string nonce)
    {
        RedisValue[] values = [nonce, request.FailuresPerDay.Limit];
        await _scripts.RunAsync(request.Database, RedisScripts.UseUp, KeysOf(request), values, honourBreaker: false).ConfigureAwait(false);
    }

    public async ValueTask ReleaseAttemptAsync(SmsCodeVerifyRequest request, string attempt)
    {
        RedisValue[] values = [attempt];
        await _scripts.RunAsync(request.Database, RedisScripts.ReleaseAttempt, KeysOf(request), values, honourBreaker: false).ConfigureAwait(false);
    }

    public async ValueTask<SmsCodeVerifyResult> VerifyAsync(SmsCodeVerifyRequest request, string guess)
    {
        RedisValue[] values = [guess, request.MaxAttempts, request.FailuresPerDay.Limit, request.FailuresPerDay.WindowMilliseconds, request.CodeLifetimeMilliseconds];
        var answer = await _scripts.RunAsync(request.Database, RedisScripts.Verify, KeysOf(request), values, honourBreaker: true).ConfigureAwait(false);
        return VerifyResultOf(answer);
    }

    // The hot path (one per gated request): pooled, so that awaiting Redis allocates no state machine, and its
    // KEYS and ARGV arrays reused (see RedisArguments).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SmsCodeIssueResult> IssueAtomicallyAsync(SmsCodeIssueRequest request)
    {
        var keys = KeysOf(request, RedisArguments.RentKeys(KeyCountOf(request, withAudit: true)), withAudit: true);
        var values = RedisArguments.RentValues(4 + (request.CountsAny ? 4 : 0) + (request.Audit.IsOn ? 3 : 0));
        values[0] = request.Code;
        values[1] = request.SendIntervalMilliseconds;
        values[2] = request.CodeLifetimeMilliseconds;
        values[3] = request.Nonce;
        var next = 4;
        if (request.CountsAny)
        {
            values[4] = request.PerHour.Limit;
            values[5] = request.PerDay.Limit;
            values[6] = request.PerIpPerHour.Limit;
            values[7] = request.SendsPerMinute.Limit;
            next = 8;
        }

        if (request.Audit.IsOn)
        {
            values[next] = RedisScripts.AuditStreamMaxLength;
            values[next + 1] = request.Audit.Policy;
            values[next + 2] = request.Audit.MaskedMobile;
        }

        RedisResult answer;
        try
        {
            answer = await _scripts.RunAsync(request.Database, RedisScripts.Issue, keys, values, honourBreaker: true).ConfigureAwait(false);
        }
        catch (SmsCodeStoreUnavailableException ex) when (ex.SentCall is { } call)
        {
            // The script may still run after we gave up on it; if it issued, nothing will forward, so undo it.
            _ = _scripts.UndoIfLandedAsync(call, Issued, () => RevokeAsync(request));
            throw;
        }

        RedisArguments.Return(keys, values);
        return ResultOf(answer);
    }

    /// <summary>Revokes what the mobile's own script wrote and counted (its side counters, if any, are the caller's).</summary>
    private async ValueTask<bool> RevokeOwnAsync(SmsCodeIssueRequest request)
    {
        RedisValue[] values = request.CountsAny
            ? [request.Nonce, request.PerHour.Limit, request.PerDay.Limit, request.PerIpPerHour.Limit, request.SendsPerMinute.Limit]
            : [request.Nonce];
        var keys = KeysOf(request, new RedisKey[KeyCountOf(request, withAudit: false)], withAudit: false);
        var answer = await _scripts.RunAsync(request.Database, RedisScripts.Revoke, keys, values, honourBreaker: false).ConfigureAwait(false);
        return (int)answer == 1;
    }

    private static SmsCodeIssueResult ResultOf(RedisResult result)
    {
        try
        {
            var values = (RedisResult[])result!;
            return new SmsCodeIssueResult((SmsCodeRefusal)(int)values[0], (long)values[1], values.Length > 2 ? (string?)values[2] : null);
        }
        catch (Exception ex) when (ex is InvalidCastException or IndexOutOfRangeException)
        {
            throw RedisFailure.Unavailable("Redis answered the issue script with an unexpected shape.", ex);
        }
    }

    private static int KeyCountOf(in SmsCodeIssueRequest request, bool withAudit) =>
        3 + (request.CountsAny ? 4 : 0) + (withAudit && request.Audit.IsOn ? 1 : 0);

    /// <summary>Fills the scripts' KEYS: the counters' and the audit stream's only when on (see <see cref="RedisScripts"/>).</summary>
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

        if (withAudit && request.Audit.IsOn)
        {
            keys[^1] = request.Audit.StreamKey!;
        }

        return keys;
    }

    private static string CounterKey(SmsCodeCounter counter, string unused) => counter.IsOn ? counter.Key! : unused;

    private static RedisKey[] KeysOf(in SmsCodeVerifyRequest request) =>
        [request.CodeKey, request.CodeStateKey, request.SendFlagKey, request.FailuresPerDay.IsOn ? request.FailuresPerDay.Key! : request.CodeKey];

    private static SmsCodeVerifyResult VerifyResultOf(RedisResult result)
    {
        try
        {
            var values = (RedisResult[])result!;
            return new SmsCodeVerifyResult((SmsCodeVerifyOutcome)(int)values[0], (long)values[1], values.Length > 2 ? (string?)values[2] : null);
        }
        catch (Exception ex) when (ex is InvalidCastException or IndexOutOfRangeException)
        {
            throw RedisFailure.Unavailable("Redis answered the verify script with an unexpected shape.", ex);
        }
    }
}
