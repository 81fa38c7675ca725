using Gateway.Middleware.Configuration;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Middleware.Gate;

/// <summary>
/// The verify half of the job. On a legacy app's verify route every request is one attempt at the mobile's current
/// code, counted atomically before it may go on, or answered by the gate: no code, another attempt at the app, or
/// past the limit (the code is deleted, 429). One attempt at a time reaches the app; an answer that means success
/// (<c>VerifySuccessWhen</c>) uses the code up, any other lets go of it. The gate's own verify endpoint compares the
/// code in the store and answers itself. The code and the guess are never logged.
/// </summary>
internal sealed partial class SmsCodeVerifier
{
    private readonly ISmsCodeStore _store;
    private readonly SmsCodeGateMetrics _metrics;
    private readonly LogThrottle _throttle;
    private readonly StoreUnavailableAnswer _storeUnavailable;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SmsCodeVerifier> _logger;

    public SmsCodeVerifier(
        ISmsCodeStore store, SmsCodeGateMetrics metrics, LogThrottle throttle, StoreUnavailableAnswer storeUnavailable, TimeProvider timeProvider,
        ILogger<SmsCodeVerifier> logger)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
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

    /// <summary>
    /// A legacy verify route: counts the attempt and holds the code, lets the app answer, then uses the code up (the
    /// app accepted it) or lets go of it. No code, a code another attempt holds, or spent attempts: the gate answers.
    /// </summary>
    public async Task GuardAsync(HttpContext context, SmsCodePolicy policy, string mobile, RequestDelegate next)
    {
        var request = RequestFor(policy, mobile) with { HoldMilliseconds = policy.VerifyHoldMilliseconds };
        var attempt = IssueNonce.Next();
        SmsCodeVerifyResult result;
        try
        {
            result = await _store.CountAttemptAsync(request, attempt);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            await _storeUnavailable.WriteAsync(context, policy, ex);
            return;
        }

        switch (result.Outcome)
        {
            case SmsCodeVerifyOutcome.OverLimit or SmsCodeVerifyOutcome.FailuresPerDay:
                await RefuseAsync(context, policy, result);
                return;
            case SmsCodeVerifyOutcome.InFlight:
                await InFlightAsync(context, policy);
                return;
            case SmsCodeVerifyOutcome.NoCode:
                // Nothing to guess at, and nothing counted: the attempt must not reach the app, which would check it
                // against a code issued after it.
                _metrics.Request(policy.Name, SmsCodeGateResults.VerifyNoCode);
                await policy.Answers[SmsCodeAnswerKind.VerifyNoCode].WriteAsync(context.Response);
                return;
        }

        var accepted = false;
        try
        {
            accepted = await LegacyVerifyForwarder.ForwardAsync(context, policy, next, _timeProvider);
        }
        finally
        {
            await SettleAsync(policy, request, result.Nonce ?? string.Empty, attempt, accepted);
        }

        _metrics.Request(policy.Name, accepted ? SmsCodeGateResults.VerifyAppAccepted : SmsCodeGateResults.VerifyAppRefused);
    }

    /// <summary>Uses the code up when the app accepted it, else lets go of it for the next attempt.</summary>
    private async Task SettleAsync(SmsCodePolicy policy, SmsCodeVerifyRequest request, string nonce, string attempt, bool accepted)
    {
        try
        {
            if (accepted)
            {
                await _store.UseUpAsync(request, nonce);
            }
            else
            {
                await _store.ReleaseAttemptAsync(request, attempt);
            }
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            // The answer is on its way already. Not used up: the code expires with its TTL, its attempts still
            // counted. Not released: the hold lapses at its deadline.
            if (_throttle.ShouldLog(EventIds.VerifyUseUpFailed, policy.Name, out var suppressed))
            {
                Log.SettleFailed(_logger, policy.Name, accepted ? "use the code up" : "let go of the code", ex.Message, suppressed);
            }
        }
    }

    private Task InFlightAsync(HttpContext context, SmsCodePolicy policy)
    {
        _metrics.Request(policy.Name, SmsCodeGateResults.VerifyInFlight);
        context.Response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(1);
        return policy.Answers[SmsCodeAnswerKind.AttemptInFlight].WriteAsync(context.Response, 1);
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
            case SmsCodeVerifyOutcome.InFlight:
                await InFlightAsync(context, policy);
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
            policy.CodeLifetimeMilliseconds)
        {
            Block = policy.Blocks?.For(mobile) ?? SmsCodeBlock.Off,
        };

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

        [LoggerMessage(EventIds.VerifyUseUpFailed, LogLevel.Warning, "The legacy app answered a verify attempt but the gate could not {Step}: policy {Policy}: {StoreFailure}. The code expires with its TTL, a hold at its deadline. {Suppressed} more since the last such line.", EventName = nameof(EventIds.VerifyUseUpFailed))]
        public static partial void SettleFailed(ILogger logger, string policy, string step, string storeFailure, long suppressed);

        [LoggerMessage(EventIds.VerifyAttemptsSpent, LogLevel.Debug, "Verification attempts spent ({Scope}): policy {Policy}; answered 429.", EventName = nameof(EventIds.VerifyAttemptsSpent))]
        public static partial void AttemptsSpent(ILogger logger, string policy, string scope);
    }
}
