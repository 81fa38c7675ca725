using System.Diagnostics;
using Gateway.Middleware.Codes;
using Gateway.Middleware.Configuration;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Model;

namespace Gateway.Middleware.Gate;

/// <summary>
/// The gate, a step of the YARP proxy pipeline. On a route whose metadata names a policy it validates the mobile,
/// makes one atomic store call, then answers 400 (sent too often), 503 (store unavailable), or lets YARP forward
/// the request with the code attached and turns the provider's answer into the legacy one.
/// </summary>
internal sealed partial class SmsCodeGateMiddleware
{
    private readonly RequestDelegate _next;
    private readonly SmsCodePolicyRegistry _policies;
    private readonly ISmsCodeStore _store;
    private readonly ISmsCodeGenerator _codes;
    private readonly SmsCodeGateMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SmsCodeGateMiddleware> _logger;

    public SmsCodeGateMiddleware(
        RequestDelegate next,
        SmsCodePolicyRegistry policies,
        ISmsCodeStore store,
        ISmsCodeGenerator codes,
        SmsCodeGateMetrics metrics,
        TimeProvider timeProvider,
        ILogger<SmsCodeGateMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _next = next;
        _policies = policies;
        _store = store;
        _codes = codes;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetRouteModel().Config.Metadata;
        if (metadata is null || !metadata.TryGetValue(SmsCodeGateMetadata.PolicyName, out var policyName))
        {
            return _next(context);
        }

        return GateAsync(context, policyName);
    }

    private async Task GateAsync(HttpContext context, string policyName)
    {
        if (!_policies.TryGet(policyName, out var policy))
        {
            Log.PolicyMissing(_logger, policyName);
            await SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status500InternalServerError, SmsCodeResponses.PolicyMissing);
            return;
        }

        var mobile = context.Request.RouteValues[SmsCodeGateMetadata.MobileRouteValue] as string;
        if (!policy.IsValidMobile(mobile))
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                Log.InvalidMobile(_logger, policy.Name, MobileMask.Mask(mobile));
            }

            await SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status404NotFound, SmsCodeResponses.InvalidMobile);
            return;
        }

        var request = BuildRequest(context, policy, mobile!);

        var issuedAt = _timeProvider.GetTimestamp();
        var started = Stopwatch.GetTimestamp();
        SmsCodeIssueResult result;
        try
        {
            result = await _store.TryIssueAsync(request);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            _metrics.StoreCallCompleted(policy.Name, started, succeeded: false);
            await StoreUnavailableAsync(context, policy, mobile!, ex);
            return;
        }

        _metrics.StoreCallCompleted(policy.Name, started, succeeded: true);
        if (!result.IsIssued)
        {
            await RefuseAsync(context, policy, mobile!, result);
            return;
        }

        var issue = new SmsCodeIssue(policy, mobile!, request, issuedAt);
        context.Features.Set(issue);
        await ForwardAsync(context, issue);
    }

    private SmsCodeIssueRequest BuildRequest(HttpContext context, SmsCodePolicy policy, string mobile) =>
        new(policy.Database, policy.SendFlagKey.Build(mobile), policy.CodeKey.Build(mobile), _codes.Generate(policy.CodeLength),
            policy.SendIntervalMilliseconds, policy.CodeLifetimeMilliseconds)
        {
            PerHour = policy.MaxPerHour > 0 ? new(policy.HourCounterKey.Build(mobile), policy.MaxPerHour) : SmsCodeCounter.Off,
            PerDay = policy.MaxPerDay > 0 ? new(policy.DayCounterKey.Build(mobile), policy.MaxPerDay) : SmsCodeCounter.Off,
            PerIpPerHour = policy.MaxPerIpPerHour > 0 ? new(policy.IpCounterKey.Build(ClientAddress.Of(context)), policy.MaxPerIpPerHour) : SmsCodeCounter.Off,
            SendsPerMinute = policy.MaxSendsPerMinute > 0 ? new(policy.SpendCounterKey, policy.MaxSendsPerMinute) : SmsCodeCounter.Off,
        };


    private Task RefuseAsync(HttpContext context, SmsCodePolicy policy, string mobile, SmsCodeIssueResult result)
    {
        _metrics.SendRefused(policy.Name, result.Refusal);
        var retryAfter = result.RetryAfterSeconds;
        context.Response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(retryAfter);
        if (result.Refusal == SmsCodeRefusal.Spend)
        {
            Log.SpendGuardReached(_logger, policy.Name, MobileMask.Mask(mobile), policy.MaxSendsPerMinute, retryAfter);
            return SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status503ServiceUnavailable, SmsCodeResponses.SpendGuardReached);
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.SendRefused(_logger, policy.Name, MobileMask.Mask(mobile), SmsCodeGateMetrics.ReasonName(result.Refusal), retryAfter);
        }

        return SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status400BadRequest, SmsCodeResponses.SentTooOften);
    }

    private Task StoreUnavailableAsync(HttpContext context, SmsCodePolicy policy, string mobile, SmsCodeStoreUnavailableException ex)
    {
        _metrics.StoreUnavailable(policy.Name);
        Log.StoreUnavailable(_logger, policy.Name, MobileMask.Mask(mobile), ex.Message);
        return SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status503ServiceUnavailable, SmsCodeResponses.StoreUnavailable);
    }

    private async Task ForwardAsync(HttpContext context, SmsCodeIssue issue)
    {
        try
        {
            await _next(context);
        }
        catch (Exception) when (!issue.ProviderSucceeded)
        {
            await RevokeAsync(issue, "exception");
            throw;
        }

        var error = context.GetForwarderErrorFeature();
        if (error is null && issue.ProviderSucceeded)
        {
            _metrics.CodeIssued(issue.Policy.Name);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                Log.CodeSent(_logger, issue.Policy.Name, MobileMask.Mask(issue.Mobile));
            }

            if (!issue.Policy.PassProviderResponse && !context.Response.HasStarted)
            {
                await SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status200OK, SmsCodeResponses.Ok);
            }

            return;
        }

        if (context.RequestAborted.IsCancellationRequested && issue.ProviderStatusCode is null)
        {
            // The client went away mid-forward, which cancels the provider call: it may have sent the SMS already.
            // Keep the code, so that a message that did go out can be verified; the flag expires with its TTL.
            Log.ClientAborted(_logger, issue.Policy.Name, MobileMask.Mask(issue.Mobile));
            return;
        }

        _metrics.ProviderFailed(issue.Policy.Name);
        var failure = error is not null ? error.Error.ToString() : $"status {issue.ProviderStatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";
        await RevokeAsync(issue, failure);
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status502BadGateway, SmsCodeResponses.ProviderFailed);
        }
    }

    private async Task RevokeAsync(SmsCodeIssue issue, string failure)
    {
        var elapsed = (long)_timeProvider.GetElapsedTime(issue.IssuedAt).TotalMilliseconds;
        try
        {
            var revoked = await _store.RevokeAsync(issue.StoreRequest, elapsed);
            Log.ProviderFailed(_logger, issue.Policy.Name, MobileMask.Mask(issue.Mobile), failure, revoked);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            Log.RevokeFailed(_logger, issue.Policy.Name, MobileMask.Mask(issue.Mobile), failure, ex.Message);
        }
    }

    private static partial class Log
    {
        // The Information messages check IsEnabled at the call site, before masking the mobile for them.
        [LoggerMessage(100, LogLevel.Information, "SMS code sent: policy {Policy}, mobile {Mobile}.", EventName = "CodeSent", SkipEnabledCheck = true)]
        public static partial void CodeSent(ILogger logger, string policy, string mobile);

        [LoggerMessage(101, LogLevel.Information, "SMS send refused: policy {Policy}, mobile {Mobile}, reason {Reason}, retry after {RetryAfterSeconds} s.", EventName = "SendRefused", SkipEnabledCheck = true)]
        public static partial void SendRefused(ILogger logger, string policy, string mobile, string reason, long retryAfterSeconds);

        [LoggerMessage(102, LogLevel.Warning, "SMS provider failed: policy {Policy}, mobile {Mobile}, failure {Failure}; flag and code revoked: {Revoked}.", EventName = "ProviderFailed")]
        public static partial void ProviderFailed(ILogger logger, string policy, string mobile, string failure, bool revoked);

        [LoggerMessage(103, LogLevel.Error, "SMS provider failed and the revoke failed too: policy {Policy}, mobile {Mobile}, failure {Failure}, store: {StoreFailure}. The flag expires with its TTL.", EventName = "RevokeFailed")]
        public static partial void RevokeFailed(ILogger logger, string policy, string mobile, string failure, string storeFailure);

        [LoggerMessage(104, LogLevel.Warning, "SMS code store unavailable: policy {Policy}, mobile {Mobile}: {StoreFailure}", EventName = "StoreUnavailable")]
        public static partial void StoreUnavailable(ILogger logger, string policy, string mobile, string storeFailure);

        [LoggerMessage(106, LogLevel.Warning, "SMS spend guard reached: policy {Policy} forwarded its {MaxSendsPerMinute} sends this minute; refusing mobile {Mobile} with 503 for {RetryAfterSeconds} s.", EventName = "SpendGuardReached")]
        public static partial void SpendGuardReached(ILogger logger, string policy, string mobile, int maxSendsPerMinute, long retryAfterSeconds);

        [LoggerMessage(107, LogLevel.Information, "SMS code request for an invalid mobile: policy {Policy}, mobile {Mobile}; answered 404.", EventName = "InvalidMobile", SkipEnabledCheck = true)]
        public static partial void InvalidMobile(ILogger logger, string policy, string mobile);

        [LoggerMessage(108, LogLevel.Warning, "Client went away while the SMS was being forwarded: policy {Policy}, mobile {Mobile}. The provider may have sent it, so the code is kept.", EventName = "ClientAborted")]
        public static partial void ClientAborted(ILogger logger, string policy, string mobile);

        [LoggerMessage(105, LogLevel.Error, "Route names SMS code policy {Policy}, which is not configured; answering 500 and not forwarding.", EventName = "PolicyMissing")]
        public static partial void PolicyMissing(ILogger logger, string policy);
    }
}
