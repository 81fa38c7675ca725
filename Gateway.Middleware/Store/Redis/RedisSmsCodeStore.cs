using System.Runtime.CompilerServices;
using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// The shared store: each operation one script (<see cref="RedisScripts"/>) on the mobile's keys, run by
/// <see cref="RedisScriptRunner"/> (timeout, breaker, NOSCRIPT, the late revoke). On Redis Cluster the counters that
/// cannot share the mobile's hash slot are counted around it by <see cref="RedisSideCounters"/>, and a number block
/// beside it by <see cref="RedisBlockCounters"/>.
/// </summary>
internal sealed partial class RedisSmsCodeStore : ISmsCodeStore
{
    private static readonly Func<RedisResult, bool> Issued = static answer => ResultOf(answer).IsIssued;
    private readonly RedisScriptRunner _scripts;
    private readonly RedisSideCounters _sideCounters;
    private readonly RedisBlockCounters _blocks;
    private readonly Func<SmsCodeIssueRequest, ValueTask<SmsCodeIssueResult>> _issueOwn;
    private readonly Func<SmsCodeIssueRequest, ValueTask<bool>> _revokeOwn;
    private readonly Func<SmsCodeIssueRequest, ValueTask<SmsCodeIssueResult>> _issueBesideBlock;
    private readonly Func<SmsCodeIssueRequest, ValueTask<bool>> _revokeBesideBlock;
    private readonly RedisConnection _redis;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;

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
        _redis = redis;
        _timeProvider = timeProvider;
        _timeout = options.Value.StoreTimeout;
        _scripts = new RedisScriptRunner(redis, breaker, timeProvider, options.Value.StoreTimeout, logger, throttle, substitution);
        _sideCounters = new RedisSideCounters(_scripts);
        _blocks = new RedisBlockCounters(_scripts, logger, throttle);
        _issueOwn = IssueAtomicallyAsync;
        _revokeOwn = RevokeOwnAsync;
        _issueBesideBlock = IssueBesideBlockAsync;
        _revokeBesideBlock = RevokeBesideBlockAsync;
    }

    public bool IsShared => true;

    public ValueTask<SmsCodeIssueResult> TryIssueAsync(SmsCodeIssueRequest request) =>
        _blocks.AppliesTo(request) ? _blocks.IssueAsync(request, _issueBesideBlock, _revokeBesideBlock) : IssueBesideBlockAsync(request);

    public ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request) =>
        _blocks.AppliesTo(request) ? _blocks.RevokeAsync(request, _revokeBesideBlock) : RevokeBesideBlockAsync(request);

    public ValueTask PingAsync(CancellationToken cancellationToken) => _scripts.PingAsync(cancellationToken);

    public async ValueTask<SmsCodeVerifyResult> CountAttemptAsync(SmsCodeVerifyRequest request, string attempt)
    {
        RedisValue[] values =
            [request.MaxAttempts, request.FailuresPerDay.Limit, request.FailuresPerDay.WindowMilliseconds, request.CodeLifetimeMilliseconds, request.HoldMilliseconds, attempt];
        var answer = await _scripts.RunAsync(request.Database, RedisScripts.Embedded.CountAttempt, KeysOf(request, _blocks.AppliesTo(request)), values, honourBreaker: true).ConfigureAwait(false);
        return VerifyResultOf(answer);
    }

    public async ValueTask UseUpAsync(SmsCodeVerifyRequest request, string nonce)
    {
        var blockOnSide = _blocks.AppliesTo(request);
        RedisValue[] values = [nonce, request.FailuresPerDay.Limit, .. ConversionValuesOf(request, blockOnSide)];

        // The app accepted the code: the block's verification counts whatever becomes of the use-up, so both go at once.
        var counting = blockOnSide ? _blocks.CountVerifiedAsync(request) : Task.CompletedTask;
        try
        {
            await _scripts.RunAsync(request.Database, RedisScripts.Embedded.UseUp, KeysOf(request, blockOnSide), values, honourBreaker: false).ConfigureAwait(false);
        }
        finally
        {
            await counting.ConfigureAwait(false);
        }
    }

    public async ValueTask ReleaseAttemptAsync(SmsCodeVerifyRequest request, string attempt)
    {
        RedisValue[] values = [attempt];
        await _scripts.RunAsync(request.Database, RedisScripts.Embedded.ReleaseAttempt, KeysOf(request, _blocks.AppliesTo(request)), values, honourBreaker: false).ConfigureAwait(false);
    }

    public async ValueTask<SmsCodeVerifyResult> VerifyAsync(SmsCodeVerifyRequest request, string guess)
    {
        var blockOnSide = _blocks.AppliesTo(request);
        RedisValue[] values = [request.MaxAttempts, request.FailuresPerDay.Limit, request.FailuresPerDay.WindowMilliseconds, request.CodeLifetimeMilliseconds, guess, .. ConversionValuesOf(request, blockOnSide)];
        var answer = await _scripts.RunAsync(request.Database, RedisScripts.Embedded.Verify, KeysOf(request, blockOnSide), values, honourBreaker: true).ConfigureAwait(false);
        var result = VerifyResultOf(answer);
        if (blockOnSide && result.Outcome == SmsCodeVerifyOutcome.Verified)
        {
            // Redis Cluster: the block's verification, in the block's slot, once the code is known right (never changes the answer).
            await _blocks.CountVerifiedAsync(request).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The issue beside the number block's (all of it where the block is not counted on the side): the side counters, then the mobile's own script.</summary>
    private ValueTask<SmsCodeIssueResult> IssueBesideBlockAsync(SmsCodeIssueRequest request) =>
        _sideCounters.AppliesTo(request) ? _sideCounters.IssueAsync(request, _issueOwn) : IssueAtomicallyAsync(request);

    private ValueTask<bool> RevokeBesideBlockAsync(SmsCodeIssueRequest request) =>
        _sideCounters.AppliesTo(request) ? _sideCounters.RevokeAsync(request, _revokeOwn) : RevokeOwnAsync(request);

    // The hot path (one per gated request): pooled, so that awaiting Redis allocates no state machine, and its
    // KEYS and ARGV arrays reused (see RedisArguments).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SmsCodeIssueResult> IssueAtomicallyAsync(SmsCodeIssueRequest request)
    {
        var keys = KeysOf(request, RedisArguments.RentKeys(KeyCountOf(request, forIssue: true)), forIssue: true);
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
            answer = await _scripts.RunAsync(request.Database, RedisScripts.Embedded.Issue, keys, values, honourBreaker: true).ConfigureAwait(false);
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
        var values = new RedisValue[2 + FeatureValueCountOf(request)];
        values[0] = request.Nonce;
        values[1] = (int)(FeaturesOf(request) & ~(IssueFeatures.Audit | IssueFeatures.Remembered));
        FillFeatureValues(request, values, 2);
        var keys = KeysOf(request, new RedisKey[KeyCountOf(request, forIssue: false)], forIssue: false);
        var answer = await _scripts.RunAsync(request.Database, RedisScripts.Embedded.Revoke, keys, values, honourBreaker: false).ConfigureAwait(false);
        return (int)answer == 1;
    }

    private static SmsCodeIssueResult ResultOf(RedisResult result)
    {
        try
        {
            var values = (RedisResult[])result!;
            var nonce = values.Length > 2 ? (string?)values[2] : null;
            return new SmsCodeIssueResult((SmsCodeRefusal)(int)values[0], (long)values[1], string.IsNullOrEmpty(nonce) ? null : nonce)
            {
                Block = values.Length switch
                {
                    > 6 => new SmsCodeBlockOutcome((SmsCodeRefusal)(int)values[3], (int)values[4] == 1, (long)values[5], (long)values[6]),
                    4 => new SmsCodeBlockOutcome { Remembered = (int)values[3] == 1 },
                    _ => default,
                },
            };
        }
        catch (Exception ex) when (ex is InvalidCastException or IndexOutOfRangeException)
        {
            throw RedisFailure.Unavailable("Redis answered the issue script with an unexpected shape.", ex);
        }
    }

    private static int KeyCountOf(in SmsCodeIssueRequest request, bool forIssue) =>
        3 + (request.CountsAny ? 4 : 0) + (request.Block.IsOn ? 4 : 0)
        + (forIssue && request.RememberedKey is not null ? 1 : 0) + (forIssue && request.Audit.IsOn ? 1 : 0);

    /// <summary>
    /// Fills the scripts' KEYS: the counters', the block's and the audit stream's only when on (see issue.lua); the
    /// remembered key and the audit stream only <paramref name="forIssue"/> (the revoke touches neither).
    /// </summary>
    private static RedisKey[] KeysOf(in SmsCodeIssueRequest request, RedisKey[] keys, bool forIssue)
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

        if (forIssue && request.RememberedKey is { } remembered)
        {
            keys[3 + (request.CountsAny ? 4 : 0) + (request.Block.IsOn ? 4 : 0)] = remembered;
        }

        if (forIssue && request.Audit.IsOn)
        {
            keys[^1] = request.Audit.StreamKey!;
        }

        return keys;
    }

    private static string CounterKey(SmsCodeCounter counter, string unused) => counter.IsOn ? counter.Key! : unused;

    /// <summary>
    /// KEYS of the verify scripts: code, state, flag, failures, then the block's counters and the remembered mobile
    /// (conversion.lua). <paramref name="blockOnSide"/> (Redis Cluster): the block's counters are not the script's.
    /// </summary>
    private static RedisKey[] KeysOf(in SmsCodeVerifyRequest request, bool blockOnSide) =>
        [request.CodeKey, request.CodeStateKey, request.SendFlagKey, request.FailuresPerDay.IsOn ? request.FailuresPerDay.Key! : request.CodeKey,
            request.Block.Guards && !blockOnSide ? request.Block.CounterKey : request.CodeKey, request.Block.IsOn ? request.Block.RememberedKey : request.CodeKey];

    /// <summary>conversion.lua's arguments: the block's window (0: not counted here) and how long the mobile is remembered (0: not).</summary>
    private static RedisValue[] ConversionValuesOf(in SmsCodeVerifyRequest request, bool blockOnSide) =>
        [request.Block.Guards && !blockOnSide ? request.Block.WindowMilliseconds : 0, request.Block.Guards ? request.Block.RememberMilliseconds : 0];

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
