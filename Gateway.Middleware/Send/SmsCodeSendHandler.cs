using Gateway.Middleware.Blocks;
using Gateway.Middleware.Codes;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Requests;
using Gateway.Middleware.Store;
using Gateway.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Middleware.Send;

/// <summary>
/// The send half of the job, once the policy and the mobile are known: the pre-store checks, one atomic store call,
/// then a refusal (400, 503 spend guard, a repeat's first answer) or the forward to the provider and its answer (200,
/// 502 revoked, 504 kept). Every way out records the request's outcome in its <see cref="SmsCodeGateContext"/>.
/// </summary>
internal sealed partial class SmsCodeSendHandler
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    private readonly ISmsCodeSendCheck[] _checks;
    private readonly ISmsCodeStore _store;
    private readonly ISmsCodeGenerator _codes;
    private readonly ProviderForwarder _provider;
    private readonly SendsInFlight _sendsInFlight;
    private readonly BlockGate _blocks;
    private readonly StoreUnavailableAnswer _storeUnavailable;
    private readonly SmsCodeGateMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly LogThrottle _throttle;
    private readonly int _ipv6PrefixLength;
    private readonly ILogger<SmsCodeSendHandler> _logger;

    public SmsCodeSendHandler(
        IEnumerable<ISmsCodeSendCheck> checks, ISmsCodeStore store, ISmsCodeGenerator codes, ProviderForwarder provider, SendsInFlight sendsInFlight, BlockGate blocks,
        StoreUnavailableAnswer storeUnavailable, SmsCodeGateMetrics metrics, TimeProvider timeProvider, LogThrottle throttle,
        IOptions<SmsCodeGateOptions> options, ILogger<SmsCodeSendHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(checks);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(sendsInFlight);
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(storeUnavailable);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _checks = checks.ToArray();
        _store = store;
        _codes = codes;
        _provider = provider;
        _sendsInFlight = sendsInFlight;
        _blocks = blocks;
        _storeUnavailable = storeUnavailable;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _throttle = throttle;
        _ipv6PrefixLength = options.Value.ClientIpv6PrefixLength;
        _logger = logger;
    }

    public async Task SendAsync(SmsCodeGateContext gate, RequestDelegate next)
    {
        // Checks before the store, in registration order: a refusal here costs no store call.
        foreach (var check in _checks)
        {
            if (check.Check(gate) is { } refused)
            {
                await RefuseAsync(gate, refused);
                return;
            }
        }

        var policy = gate.Policy;
        var request = IssueRequestOf(gate);
        gate.IssuedAt = _timeProvider.GetTimestamp();
        var started = _metrics.StoreCallStarted();
        SmsCodeIssueResult result;
        try
        {
            result = await _store.TryIssueAsync(request);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            _metrics.StoreCallCompleted(policy.Name, started, succeeded: false);
            await _storeUnavailable.WriteAsync(gate, ex);
            return;
        }

        _metrics.StoreCallCompleted(policy.Name, started, succeeded: true);
        _blocks.Observe(policy, request.Block, result);
        if (result.Refusal == SmsCodeRefusal.Repeat)
        {
            await RepeatAsync(gate, result);
            return;
        }

        if (!result.IsIssued)
        {
            await RefuseAsync(gate, SendRefusal.Of(result));
            return;
        }

        gate.Issue = request;
        if (IssueNonce.IdempotencyKeyOf(request.Nonce) is null)
        {
            await ForwardAsync(gate, next);
            return;
        }

        // A repeat of this send may arrive while it is forwarded: it waits for this answer (see SendsInFlight).
        var inFlight = _sendsInFlight.Start(request.Nonce);
        var answer = SmsCodeAnswerKind.ProviderFailed;
        try
        {
            answer = await ForwardAsync(gate, next);
        }
        finally
        {
            inFlight.Complete(answer);
        }
    }

    private SmsCodeIssueRequest IssueRequestOf(SmsCodeGateContext gate)
    {
        var (policy, mobile, context) = (gate.Policy, gate.Mobile, gate.HttpContext);
        return new(policy.Database, policy.SendFlagKey.Build(mobile), policy.CodeKey.Build(mobile), policy.CodeStateKey.Build(mobile),
            _codes.Generate(policy.CodeLength), IssueNonce.Next(IdempotencyKeyOf(context)), policy.SendIntervalMilliseconds, policy.CodeLifetimeMilliseconds)
        {
            PerHour = policy.MaxPerHour > 0 ? SmsCodeCounter.MobilePerHour(policy.HourCounterKey.Build(mobile), policy.MaxPerHour) : SmsCodeCounter.Off,
            PerDay = policy.MaxPerDay > 0 ? SmsCodeCounter.MobilePerDay(policy.DayCounterKey.Build(mobile), policy.MaxPerDay) : SmsCodeCounter.Off,
            PerIpPerHour = policy.MaxPerIpPerHour > 0 ? SmsCodeCounter.IpPerHour(policy.IpCounterKey.Build(ClientAddress.Of(context, _ipv6PrefixLength)), policy.MaxPerIpPerHour) : SmsCodeCounter.Off,
            SendsPerMinute = policy.MaxSendsPerMinute > 0 ? SmsCodeCounter.SendsPerMinute(policy.SpendCounterKey, policy.MaxSendsPerMinute) : SmsCodeCounter.Off,
            Audit = policy.AuditStreamKey is { } stream ? new(stream, policy.Name, MobileMask.Mask(mobile)) : SmsCodeAudit.Off,
            Block = BlockOf(policy, gate),
        };
    }

    // The number check has read the mobile already when the policy reads numbers, which blocks require.
    private static SmsCodeBlock BlockOf(SmsCodePolicy policy, SmsCodeGateContext gate) => policy.Blocks switch
    {
        null => SmsCodeBlock.Off,
        { } blocks when gate.Number is { } number => blocks.For(gate.Mobile, number),
        { } blocks => blocks.For(gate.Mobile),
    };

    private static string? IdempotencyKeyOf(HttpContext context) =>
        context.Request.Headers.TryGetValue(IdempotencyKeyHeader, out var values) && values.Count == 1 ? values[0] : null;

    /// <summary>The same request again, while its code is live: the first one's answer again, and no second SMS.</summary>
    private async Task RepeatAsync(SmsCodeGateContext gate, SmsCodeIssueResult result)
    {
        // A first send still in flight here may yet fail and be rolled back: the repeat waits and gets its answer.
        var response = gate.HttpContext.Response;
        var answer = await _sendsInFlight.AnswerOfAsync(result.FirstNonce, gate.HttpContext.RequestAborted);
        gate.Complete(SmsCodeGateResults.Repeated);
        if (answer == SmsCodeAnswerKind.ProviderTimeout)
        {
            response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(result.RetryAfterSeconds);
        }

        await gate.Policy.Answers[answer].WriteAsync(response, result.RetryAfterSeconds);
    }

    private Task RefuseAsync(SmsCodeGateContext gate, SendRefusal refusal)
    {
        var policy = gate.Policy;
        var response = gate.HttpContext.Response;
        gate.Complete(refusal.Result);
        if (refusal.RetryAfterSeconds > 0 || refusal.Answer is SmsCodeAnswerKind.Refused or SmsCodeAnswerKind.SpendGuard)
        {
            response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(refusal.RetryAfterSeconds);
        }

        if (refusal.Answer == SmsCodeAnswerKind.SpendGuard)
        {
            if (_throttle.ShouldLog(EventIds.SpendGuardReached, policy.Name, out var suppressed))
            {
                Log.SpendGuardReached(_logger, policy.Name, policy.MaxSendsPerMinute, refusal.RetryAfterSeconds, suppressed);
            }
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.SendRefused(_logger, policy.Name, MobileMask.Mask(gate.Mobile), refusal.Reason, refusal.RetryAfterSeconds);
        }

        return policy.Answers[refusal.Answer].WriteAsync(response, refusal.RetryAfterSeconds);
    }

    /// <summary>Forwards to the provider and answers; returns which answer, for a repeat that waits on this send.</summary>
    private async Task<SmsCodeAnswerKind> ForwardAsync(SmsCodeGateContext gate, RequestDelegate next)
    {
        ProviderResult forwarded;
        try
        {
            forwarded = await _provider.ForwardAsync(gate, next);
        }
        catch (Exception) when (gate.ProviderAnswer is not { Succeeded: true })
        {
            await RevokeAsync(gate, "exception");
            throw;
        }

        var (policy, response) = (gate.Policy, gate.HttpContext.Response);
        switch (forwarded.Outcome)
        {
            case ProviderOutcome.Sent:
                // The SMS went out: nothing revokes its code now, not even a failure to copy the provider's answer.
                gate.Complete(SmsCodeGateResults.Issued);
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    Log.CodeSent(_logger, policy.Name, MobileMask.Mask(gate.Mobile));
                }

                if (!policy.PassProviderResponse && !response.HasStarted)
                {
                    await policy.Answers[SmsCodeAnswerKind.Sent].WriteAsync(response);
                }

                return SmsCodeAnswerKind.Sent;
            case ProviderOutcome.ClientAborted:
                // Keep the code, so that a message that did go out can be verified; the flag expires with its TTL.
                gate.Complete(SmsCodeGateResults.ClientAborted);
                if (_throttle.ShouldLog(EventIds.ClientAborted, policy.Name, out var suppressed))
                {
                    Log.ClientAborted(_logger, policy.Name, suppressed);
                }

                return SmsCodeAnswerKind.ProviderTimeout;
            case ProviderOutcome.TimedOut:
                await TimedOutAsync(gate, forwarded.Failure);
                return SmsCodeAnswerKind.ProviderTimeout;
            default:
                await RevokeAsync(gate, forwarded.Failure);
                gate.Complete(SmsCodeGateResults.ProviderFailed);
                if (!response.HasStarted)
                {
                    response.Clear();
                    await policy.Answers[SmsCodeAnswerKind.ProviderFailed].WriteAsync(response);
                }

                return SmsCodeAnswerKind.ProviderFailed;
        }
    }

    private Task TimedOutAsync(SmsCodeGateContext gate, string failure)
    {
        var (policy, response) = (gate.Policy, gate.HttpContext.Response);
        gate.Complete(SmsCodeGateResults.ProviderTimeout);
        if (_throttle.ShouldLog(EventIds.ProviderTimedOut, policy.Name, out var suppressed))
        {
            Log.ProviderTimedOut(_logger, policy.Name, failure, suppressed);
        }

        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        // The flag stays: the next request is refused until it expires, so that is when to come back.
        var left = policy.SendIntervalMilliseconds - (long)_timeProvider.GetElapsedTime(gate.IssuedAt).TotalMilliseconds;
        response.Clear();
        var retryAfter = Math.Max(1, (left + 999) / 1000);
        response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(retryAfter);
        return policy.Answers[SmsCodeAnswerKind.ProviderTimeout].WriteAsync(response, retryAfter);
    }

    private async Task RevokeAsync(SmsCodeGateContext gate, string failure)
    {
        var policy = gate.Policy;
        try
        {
            var revoked = await _store.RevokeAsync(gate.Issue);
            if (_throttle.ShouldLog(EventIds.ProviderFailed, policy.Name, out var suppressed))
            {
                Log.ProviderFailed(_logger, policy.Name, failure, revoked, suppressed);
            }
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            if (_throttle.ShouldLog(EventIds.RevokeFailed, policy.Name, out var suppressed))
            {
                Log.RevokeFailed(_logger, policy.Name, failure, ex.Message, suppressed);
            }
        }
    }
}
