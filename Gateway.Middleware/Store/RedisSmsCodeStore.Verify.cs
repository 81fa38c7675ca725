using StackExchange.Redis;

namespace Gateway.Middleware.Store;

/// <summary>The verify calls of the Redis store: each one script, on the mobile's keys (see attempt.lua).</summary>
internal sealed partial class RedisSmsCodeStore
{
    public async ValueTask<SmsCodeVerifyResult> CountAttemptAsync(SmsCodeVerifyRequest request, string attempt)
    {
        RedisValue[] values =
            [request.MaxAttempts, request.FailuresPerDay.Limit, request.FailuresPerDay.WindowMilliseconds, request.CodeLifetimeMilliseconds, request.HoldMilliseconds, attempt];
        var answer = await EvaluateAsync(request.Database, _scripts.CountAttempt, KeysOf(request), values, honourBreaker: true).ConfigureAwait(false);
        return VerifyResultOf(answer);
    }

    public async ValueTask UseUpAsync(SmsCodeVerifyRequest request, string nonce)
    {
        RedisValue[] values = [nonce, request.FailuresPerDay.Limit, .. ConversionValuesOf(request)];
        await EvaluateAsync(request.Database, _scripts.UseUp, KeysOf(request), values, honourBreaker: false).ConfigureAwait(false);
    }

    public async ValueTask ReleaseAttemptAsync(SmsCodeVerifyRequest request, string attempt)
    {
        RedisValue[] values = [attempt];
        await EvaluateAsync(request.Database, _scripts.ReleaseAttempt, KeysOf(request), values, honourBreaker: false).ConfigureAwait(false);
    }

    public async ValueTask<SmsCodeVerifyResult> VerifyAsync(SmsCodeVerifyRequest request, string guess)
    {
        RedisValue[] values = [request.MaxAttempts, request.FailuresPerDay.Limit, request.FailuresPerDay.WindowMilliseconds, request.CodeLifetimeMilliseconds, guess, .. ConversionValuesOf(request)];
        var answer = await EvaluateAsync(request.Database, _scripts.Verify, KeysOf(request), values, honourBreaker: true).ConfigureAwait(false);
        return VerifyResultOf(answer);
    }

    /// <summary>KEYS of the verify scripts: code, state, flag, failures, then the block's counters and the remembered mobile (conversion.lua).</summary>
    private static RedisKey[] KeysOf(in SmsCodeVerifyRequest request) =>
        [request.CodeKey, request.CodeStateKey, request.SendFlagKey, request.FailuresPerDay.IsOn ? request.FailuresPerDay.Key! : request.CodeKey,
            request.Block.Guards ? request.Block.CounterKey : request.CodeKey, request.Block.IsOn ? request.Block.RememberedKey : request.CodeKey];

    /// <summary>conversion.lua's arguments: the block's window (0: not counted) and how long the mobile is remembered (0: not).</summary>
    private static RedisValue[] ConversionValuesOf(in SmsCodeVerifyRequest request) =>
        [request.Block.Guards ? request.Block.WindowMilliseconds : 0, request.Block.Guards ? request.Block.RememberMilliseconds : 0];

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
