using Gateway.Middleware.Configuration;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Middleware.Gate;

/// <summary>
/// The verify half of the job. On a legacy app's verify route every request is one attempt at the mobile's current
/// code, counted atomically before it may go on; past the limit the code is deleted and the client gets 429, and an
/// answer 2xx from the app uses the code up. The gate's own verify endpoint compares the code in the store and
/// answers itself. The code and the guess are never logged.
/// </summary>
internal sealed partial class SmsCodeVerifier
{
    private readonly ISmsCodeStore _store;
    private readonly SmsCodeGateMetrics _metrics;
    private readonly LogThrottle _throttle;
    private readonly StoreUnavailableAnswer _storeUnavailable;
    private readonly ILogger<SmsCodeVerifier> _logger;

    public SmsCodeVerifier(
        ISmsCodeStore store, SmsCodeGateMetrics metrics, LogThrottle throttle, StoreUnavailableAnswer storeUnavailable, ILogger<SmsCodeVerifier> logger)
    {
        ArgumentNullException.ThrowIfNull(storeUnavailable);
        _storeUnavailable = storeUnavailable;
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _metrics = metrics;
        _throttle = throttle;
        _logger = logger;
    }

    /// <summary>A legacy verify route: counts the attempt, then lets the app answer, or refuses.</summary>
    public async Task GuardAsync(HttpContext context, SmsCodePolicy policy, string mobile, RequestDelegate next)
    {
        var request = RequestFor(policy, mobile);
        SmsCodeVerifyResult result;
        try
        {
            result = await _store.CountAttemptAsync(request);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            await _storeUnavailable.WriteAsync(context, policy, ex);
            return;
        }

        if (result.Outcome is SmsCodeVerifyOutcome.OverLimit or SmsCodeVerifyOutcome.FailuresPerDay)
        {
            await RefuseAsync(context, policy, result);
            return;
        }

        if (result.Outcome == SmsCodeVerifyOutcome.NoCode)
        {
            // Nothing to guess at: the app answers as it does for an expired code.
            await next(context);
            _metrics.Request(policy.Name, SmsCodeGateResults.VerifyNoCode);
            return;
        }

        await next(context);
        if (context.GetForwarderErrorFeature() is null && context.Response.StatusCode is >= 200 and < 300)
        {
            try
            {
                await _store.UseUpAsync(request, result.Nonce ?? string.Empty);
            }
            catch (SmsCodeStoreUnavailableException ex)
            {
                // The answer is on its way already; the code expires with its TTL, its attempts still counted.
                if (_throttle.ShouldLog(EventIds.VerifyUseUpFailed, policy.Name, out var suppressed))
                {
                    Log.UseUpFailed(_logger, policy.Name, ex.Message, suppressed);
                }
            }

            _metrics.Request(policy.Name, SmsCodeGateResults.VerifyAppAccepted);
            return;
        }

        _metrics.Request(policy.Name, SmsCodeGateResults.VerifyAppRefused);
    }

    /// <summary>The gate's own verify endpoint: one store call compares the code; 200, 400, 429 or 503.</summary>
    public async Task AnswerAsync(HttpContext context, SmsCodePolicy policy, string mobile)
    {
        var guess = await RequestValueReader.ReadAsync(context, policy.CodeFrom, policy.MaxBodySize);
        if (RequestValueRefusal.IsRefusal(guess.Outcome))
        {
            await RequestValueRefusal.WriteAsync(context, policy, guess.Outcome, _metrics);
            return;
        }

        if (guess.Outcome != RequestValueOutcome.Found || !IsCodeShaped(guess.Value!, policy.CodeLength))
        {
            // Cannot be right: answered like a wrong code, without spending an attempt.
            _metrics.Request(policy.Name, SmsCodeGateResults.VerifyWrong);
            await policy.Answers[SmsCodeAnswerKind.WrongCode].WriteAsync(context.Response);
            return;
        }

        SmsCodeVerifyResult result;
        try
        {
            result = await _store.VerifyAsync(RequestFor(policy, mobile), guess.Value!);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            await _storeUnavailable.WriteAsync(context, policy, ex);
            return;
        }

        switch (result.Outcome)
        {
            case SmsCodeVerifyOutcome.Verified:
                _metrics.Request(policy.Name, SmsCodeGateResults.Verified);
                await policy.Answers[SmsCodeAnswerKind.Verified].WriteAsync(context.Response);
                break;
            case SmsCodeVerifyOutcome.OverLimit or SmsCodeVerifyOutcome.FailuresPerDay:
                await RefuseAsync(context, policy, result);
                break;
            default:
                // Wrong and no code get the same answer: whether a code exists is not revealed.
                _metrics.Request(policy.Name, result.Outcome == SmsCodeVerifyOutcome.NoCode ? SmsCodeGateResults.VerifyNoCode : SmsCodeGateResults.VerifyWrong);
                await policy.Answers[SmsCodeAnswerKind.WrongCode].WriteAsync(context.Response);
                break;
        }
    }

    private static SmsCodeVerifyRequest RequestFor(SmsCodePolicy policy, string mobile) =>
        new(policy.Database, policy.CodeKey.Build(mobile), policy.CodeStateKey.Build(mobile), policy.SendFlagKey.Build(mobile),
            policy.MaxVerifyAttempts,
            policy.MaxVerifyFailuresPerDay > 0 ? SmsCodeCounter.VerifyFailuresPerDay(policy.VerifyFailureCounterKey.Build(mobile), policy.MaxVerifyFailuresPerDay) : SmsCodeCounter.Off,
            policy.CodeLifetimeMilliseconds);

    private static bool IsCodeShaped(string guess, int length) => guess.Length == length && guess.All(char.IsAsciiDigit);

    private Task RefuseAsync(HttpContext context, SmsCodePolicy policy, SmsCodeVerifyResult result)
    {
        var overLimit = result.Outcome == SmsCodeVerifyOutcome.OverLimit;
        _metrics.Request(policy.Name, overLimit ? SmsCodeGateResults.VerifyOverLimit : SmsCodeGateResults.VerifyFailuresPerDay);
        Log.AttemptsSpent(_logger, policy.Name, overLimit ? "code" : "day");
        context.Response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(result.RetryAfterSeconds);
        return policy.Answers[overLimit ? SmsCodeAnswerKind.AttemptsSpent : SmsCodeAnswerKind.FailuresPerDaySpent].WriteAsync(context.Response, result.RetryAfterSeconds);
    }

    private static partial class Log
    {

        [LoggerMessage(EventIds.VerifyUseUpFailed, LogLevel.Warning, "The legacy app accepted a code but the gate could not use it up: policy {Policy}: {StoreFailure}. It expires with its TTL. {Suppressed} more since the last such line.", EventName = nameof(EventIds.VerifyUseUpFailed))]
        public static partial void UseUpFailed(ILogger logger, string policy, string storeFailure, long suppressed);

        [LoggerMessage(EventIds.VerifyAttemptsSpent, LogLevel.Debug, "Verification attempts spent ({Scope}): policy {Policy}; answered 429.", EventName = nameof(EventIds.VerifyAttemptsSpent))]
        public static partial void AttemptsSpent(ILogger logger, string policy, string scope);
    }
}
