using System.Collections.Concurrent;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Requests;

/// <summary>
/// The start every gated request shares, sending and verifying alike: the route's policy, then the canonical mobile
/// from where the route or the policy says. A request without either is answered here (500 not configured, 503 cannot
/// run on this store, 404 invalid mobile, 413 or 415 unreadable) and its outcome recorded in its context.
/// </summary>
internal sealed partial class GatedRequestReader
{
    private static readonly ConcurrentDictionary<string, RequestValueSource> RouteSources = new(StringComparer.Ordinal);

    private readonly SmsCodePolicyRegistry _policies;
    private readonly LogThrottle _throttle;
    private readonly ILogger<GatedRequestReader> _logger;

    public GatedRequestReader(SmsCodePolicyRegistry policies, LogThrottle throttle, ILogger<GatedRequestReader> logger)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(logger);
        _policies = policies;
        _throttle = throttle;
        _logger = logger;
    }

    /// <summary>True with the context's policy and mobile set; false once the answer is written and the outcome recorded.</summary>
    public async ValueTask<bool> ReadAsync(SmsCodeGateContext gate)
    {
        if (!await PolicyOfAsync(gate))
        {
            return false;
        }

        var policy = gate.Policy;
        var source = SourceOf(gate.RouteMetadata, policy);
        var mobile = source.Location == RequestValueLocation.Route
            ? gate.HttpContext.Request.RouteValues[source.Name] as string
            : await ReadValueAsync(gate, source);
        if (policy.IsValidMobile(mobile))
        {
            gate.Mobile = mobile!;
            return true;
        }

        if (gate.Result is not null || gate.HttpContext.Response.HasStarted)
        {
            return false;
        }

        gate.Complete(SmsCodeGateResults.InvalidMobile);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.InvalidMobile(_logger, policy.Name, MobileMask.Mask(mobile));
        }

        await policy.Answers[SmsCodeAnswerKind.InvalidMobile].WriteAsync(gate.HttpContext.Response);
        return false;
    }

    /// <summary>
    /// A value from the request's body or query, or null; a body or query the gate would not read as the app will is
    /// answered here (<see cref="RequestValueRefusal"/>) and recorded as the request's outcome.
    /// </summary>
    public static async ValueTask<string?> ReadValueAsync(SmsCodeGateContext gate, RequestValueSource source)
    {
        var read = await RequestValueReader.ReadAsync(gate.HttpContext, source, gate.Policy.MaxBodySize);
        if (RequestValueRefusal.IsRefusal(read.Outcome))
        {
            await RequestValueRefusal.WriteAsync(gate, read.Outcome);
            return null;
        }

        return read.Outcome == RequestValueOutcome.Found ? read.Value : null;
    }

    private async ValueTask<bool> PolicyOfAsync(SmsCodeGateContext gate)
    {
        var response = gate.HttpContext.Response;
        if (!_policies.TryGet(gate.PolicyName, out var policy))
        {
            gate.Complete(SmsCodeGateResults.PolicyMissing);
            if (_throttle.ShouldLog(EventIds.PolicyMissing, gate.PolicyName, out var suppressed))
            {
                Log.PolicyMissing(_logger, gate.PolicyName, suppressed);
            }

            await SmsCodeResponses.WriteAsync(response, StatusCodes.Status500InternalServerError, SmsCodeResponses.PolicyMissing);
            return false;
        }

        gate.Policy = policy;
        if (_policies.RejectionOf(policy) is { } rejection)
        {
            gate.Complete(SmsCodeGateResults.PolicyRejected);
            if (_throttle.ShouldLog(EventIds.PolicyRejectedRequest, policy.Name, out var suppressed))
            {
                Log.PolicyRejected(_logger, policy.Name, rejection, suppressed);
            }

            await policy.Answers[SmsCodeAnswerKind.StoreUnavailable].WriteAsync(response);
            return false;
        }

        return true;
    }

    /// <summary>The route's own <c>SmsMobileFrom</c> (validated when the route was loaded), else the policy's.</summary>
    private static RequestValueSource SourceOf(IReadOnlyDictionary<string, string> metadata, SmsCodePolicy policy) =>
        metadata.TryGetValue(SmsCodeGateMetadata.MobileFromName, out var text)
            ? RouteSources.GetOrAdd(text, static t => RequestValueSource.TryParse(t, out _)!)
            : policy.MobileFrom;

    private static partial class Log
    {
        [LoggerMessage(EventIds.PolicyMissing, LogLevel.Error, "Route names SMS code policy {Policy}, which is not configured; answering 500 and not forwarding. {Suppressed} more since the last such line.", EventName = nameof(EventIds.PolicyMissing))]
        public static partial void PolicyMissing(ILogger logger, string policy, long suppressed);

        [LoggerMessage(EventIds.PolicyRejectedRequest, LogLevel.Error, "SMS code policy {Policy} cannot run on this store and is answered 503: {Rejection} {Suppressed} more since the last such line.", EventName = "PolicyRejected")]
        public static partial void PolicyRejected(ILogger logger, string policy, string rejection, long suppressed);

        // Per-request events are Debug (the metric counts them); the call site checks IsEnabled before masking the mobile.
        [LoggerMessage(EventIds.InvalidMobile, LogLevel.Debug, "SMS code request for an invalid mobile: policy {Policy}, mobile {Mobile}; answered 404.", EventName = nameof(EventIds.InvalidMobile), SkipEnabledCheck = true)]
        public static partial void InvalidMobile(ILogger logger, string policy, string mobile);
    }
}
