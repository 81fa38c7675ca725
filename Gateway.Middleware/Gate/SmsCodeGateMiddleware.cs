using System.Diagnostics;
using System.Net.Http;
using System.Net.Sockets;
using Gateway.Middleware.Codes;
using Gateway.Middleware.Configuration;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Routing;
using Gateway.Middleware.Store;
using Gateway.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Middleware.Gate;

/// <summary>
/// The gate, a step of the YARP proxy pipeline. On a route whose metadata names a policy it checks the method and
/// the mobile, makes one atomic store call, then answers 400 (sent too often), 503 (store unavailable), or lets YARP
/// forward the request with the code attached and turns the provider's answer into the legacy one. On every other
/// route it only refuses spellings of a gated path that routing did not recognise (see <see cref="GatedPathGuard"/>).
/// </summary>
/// <remarks>
/// Every request the gate handles is counted once by <c>sms_code_gate.requests</c>, an exception included. Refusals
/// (400, 404, 405) are logged at Debug only: a flood of them must not become a flood of log lines. Warnings that
/// every failing request would repeat go through <see cref="LogThrottle"/>.
/// </remarks>
internal sealed partial class SmsCodeGateMiddleware
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, RequestValueSource> RouteSources = new(StringComparer.Ordinal);

    private readonly RequestDelegate _next;
    private readonly SmsCodePolicyRegistry _policies;
    private readonly ISmsCodeStore _store;
    private readonly ISmsCodeGenerator _codes;
    private readonly SmsCodeGateMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly GatedPathGuard _pathGuard;
    private readonly SmsCodeVerifier _verifier;
    private readonly StoreUnavailableAnswer _storeUnavailable;
    private readonly SendsInFlight _sendsInFlight;
    private readonly Numbers.NumberGate _numbers;
    private readonly Blocks.BlockGate _blocks;
    private readonly LogThrottle _throttle;
    private readonly int _ipv6PrefixLength;
    private readonly ILogger<SmsCodeGateMiddleware> _logger;

    public SmsCodeGateMiddleware(
        RequestDelegate next,
        SmsCodePolicyRegistry policies,
        ISmsCodeStore store,
        ISmsCodeGenerator codes,
        SmsCodeGateMetrics metrics,
        TimeProvider timeProvider,
        GatedPathGuard pathGuard,
        SmsCodeVerifier verifier,
        StoreUnavailableAnswer storeUnavailable,
        SendsInFlight sendsInFlight,
        Numbers.NumberGate numbers,
        Blocks.BlockGate blocks,
        LogThrottle throttle,
        IOptions<SmsCodeGateOptions> options,
        ILogger<SmsCodeGateMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(pathGuard);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(storeUnavailable);
        ArgumentNullException.ThrowIfNull(sendsInFlight);
        ArgumentNullException.ThrowIfNull(numbers);
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _next = next;
        _policies = policies;
        _store = store;
        _codes = codes;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _pathGuard = pathGuard;
        _verifier = verifier;
        _storeUnavailable = storeUnavailable;
        _sendsInFlight = sendsInFlight;
        _numbers = numbers;
        _blocks = blocks;
        _throttle = throttle;
        _ipv6PrefixLength = options.Value.ClientIpv6PrefixLength;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetRouteModel().Config.Metadata;
        if (metadata is not null && metadata.TryGetValue(SmsCodeGateMetadata.PolicyName, out var policyName))
        {
            return HasAllowedMethod(context, metadata) ? GateAsync(context, policyName, metadata) : MethodNotAllowedAsync(context, policyName, metadata);
        }

        if (!SmsCodeGateMetadata.IsGated(metadata))
        {
            return GatedPathGuard.NeedsCheck(context.Request.Path) ? GuardUngatedAsync(context) : _next(context);
        }

        var role = metadata!.TryGetValue(SmsCodeGateMetadata.VerifyPolicyName, out policyName) ? GateRole.VerifyRoute : GateRole.VerifyEndpoint;
        policyName ??= metadata[SmsCodeGateMetadata.VerifyEndpointName];
        return HasAllowedMethod(context, metadata) ? VerifyAsync(context, policyName, role, metadata) : MethodNotAllowedAsync(context, policyName, metadata);
    }

    private static bool HasAllowedMethod(HttpContext context, IReadOnlyDictionary<string, string> metadata) =>
        !metadata.TryGetValue(GatedRouteMethodsFilter.AllowedMethodsMetadata, out var allowed) || IsAllowed(context.Request.Method, allowed);

    private async Task VerifyAsync(HttpContext context, string policyName, GateRole role, IReadOnlyDictionary<string, string> metadata)
    {
        try
        {
            if (await PolicyForAsync(context, policyName) is not { } policy)
            {
                return;
            }

            var mobile = await MobileOfAsync(context, policy, SourceOf(metadata, policy));
            if (mobile is null)
            {
                return;
            }

            if (role == GateRole.VerifyRoute)
            {
                await _verifier.GuardAsync(context, policy, mobile, _next);
            }
            else
            {
                await _verifier.AnswerAsync(context, policy, mobile);
            }
        }
        catch (Exception ex)
        {
            CountFailure(context, policyName, ex);
            throw;
        }
    }

    /// <summary>
    /// Counts a request that an exception ended: none was counted yet, as every count is followed by nothing but a
    /// log line and the answer. A code the provider accepted went out; else the client left, or something failed.
    /// </summary>
    private void CountFailure(HttpContext context, string policyName, Exception exception)
    {
        var policy = _policies.TryGet(policyName, out var found) ? found.Name : policyName;
        if (context.Features.Get<SmsCodeIssue>() is { ProviderSucceeded: true })
        {
            _metrics.Request(policy, SmsCodeGateResults.Issued);
        }
        else if (context.RequestAborted.IsCancellationRequested)
        {
            _metrics.Request(policy, SmsCodeGateResults.ClientAborted);
        }
        else
        {
            _metrics.Request(policy, SmsCodeGateResults.Error, exception.GetType().FullName!);
        }
    }

    /// <summary>The policy, or null once the answer (500 not configured, 503 cannot run on this store) is written.</summary>
    private async ValueTask<SmsCodePolicy?> PolicyForAsync(HttpContext context, string policyName)
    {
        if (!_policies.TryGet(policyName, out var policy))
        {
            _metrics.Request(policyName, SmsCodeGateResults.PolicyMissing);
            if (_throttle.ShouldLog(EventIds.PolicyMissing, policyName, out var suppressed))
            {
                Log.PolicyMissing(_logger, policyName, suppressed);
            }

            await SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status500InternalServerError, SmsCodeResponses.PolicyMissing);
            return null;
        }

        if (_policies.RejectionOf(policy) is { } rejection)
        {
            _metrics.Request(policy.Name, SmsCodeGateResults.PolicyRejected);
            if (_throttle.ShouldLog(EventIds.PolicyRejectedRequest, policy.Name, out var suppressed))
            {
                Log.PolicyRejected(_logger, policy.Name, rejection, suppressed);
            }

            await policy.Answers[SmsCodeAnswerKind.StoreUnavailable].WriteAsync(context.Response);
            return null;
        }

        return policy;
    }

    /// <summary>The canonical mobile from where the policy says, or null once the answer (404, 413) is written.</summary>
    private async ValueTask<string?> MobileOfAsync(HttpContext context, SmsCodePolicy policy, RequestValueSource source)
    {
        var mobile = source.Location == RequestValueLocation.Route
            ? context.Request.RouteValues[source.Name] as string
            : await ReadMobileAsync(context, policy, source);
        if (policy.IsValidMobile(mobile))
        {
            return mobile;
        }

        if (context.Response.HasStarted || RequestValueRefusal.WasAnswered(context))
        {
            return null;
        }

        _metrics.Request(policy.Name, SmsCodeGateResults.InvalidMobile);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.InvalidMobile(_logger, policy.Name, MobileMask.Mask(mobile));
        }

        await policy.Answers[SmsCodeAnswerKind.InvalidMobile].WriteAsync(context.Response);
        return null;
    }

    /// <summary>The route's own <c>SmsMobileFrom</c> (validated when the route was loaded), else the policy's.</summary>
    private static RequestValueSource SourceOf(IReadOnlyDictionary<string, string> metadata, SmsCodePolicy policy) =>
        metadata.TryGetValue(SmsCodeGateMetadata.MobileFromName, out var text)
            ? RouteSources.GetOrAdd(text, static t => RequestValueSource.TryParse(t, out _)!)
            : policy.MobileFrom;

    private async ValueTask<string?> ReadMobileAsync(HttpContext context, SmsCodePolicy policy, RequestValueSource source)
    {
        var read = await RequestValueReader.ReadAsync(context, source, policy.MaxBodySize);
        if (RequestValueRefusal.IsRefusal(read.Outcome))
        {
            await RequestValueRefusal.WriteAsync(context, policy, read.Outcome, _metrics);
        }

        return read.Outcome == RequestValueOutcome.Found ? read.Value : null;
    }

    private Task GuardUngatedAsync(HttpContext context)
    {
        if (!_pathGuard.IsGatedOrInvalid(context.Request.Path))
        {
            return _next(context);
        }

        _metrics.Request(string.Empty, SmsCodeGateResults.PathRefused);
        Log.PathRefused(_logger, context.Request.Method);
        return SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status400BadRequest, SmsCodeResponses.PathRefused);
    }

    /// <summary>True when <paramref name="allowed"/> (the route's own methods, comma-separated; empty = any) lists <paramref name="method"/>.</summary>
    internal static bool IsAllowed(string method, string allowed)
    {
        if (allowed.Length == 0)
        {
            return true;
        }

        foreach (var range in allowed.AsSpan().Split(','))
        {
            if (allowed.AsSpan()[range].Trim().Equals(method, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private Task MethodNotAllowedAsync(HttpContext context, string policyName, IReadOnlyDictionary<string, string> metadata)
    {
        var allowed = metadata[GatedRouteMethodsFilter.AllowedMethodsMetadata];
        _metrics.Request(policyName, SmsCodeGateResults.MethodNotAllowed);
        Log.MethodNotAllowed(_logger, policyName, context.Request.Method);
        context.Response.Headers.Allow = allowed;
        return SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status405MethodNotAllowed, SmsCodeResponses.MethodNotAllowed(allowed));
    }

    private async Task GateAsync(HttpContext context, string policyName, IReadOnlyDictionary<string, string> metadata)
    {
        try
        {
            if (await PolicyForAsync(context, policyName) is not { } policy)
            {
                return;
            }

            var mobile = await MobileOfAsync(context, policy, SourceOf(metadata, policy));
            if (mobile is null || !await _numbers.AllowsAsync(context, policy, mobile))
            {
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
                await _storeUnavailable.WriteAsync(context, policy, ex);
                return;
            }

            _metrics.StoreCallCompleted(policy.Name, started, succeeded: true);
            _blocks.Observe(policy, request.Block, result);
            if (Blocks.BlockGate.Refuses(result))
            {
                await _blocks.RefuseAsync(context, policy, request.Block.Block, result);
                return;
            }

            if (!result.IsIssued)
            {
                await RefuseAsync(context, policy, mobile!, result);
                return;
            }

            var issue = new SmsCodeIssue(policy, mobile!, request, issuedAt);
            context.Features.Set(issue);
            if (IssueNonce.IdempotencyKeyOf(request.Nonce) is null)
            {
                await ForwardAsync(context, issue);
                return;
            }

            // A repeat of this send may arrive while it is forwarded: it waits for this answer (see SendsInFlight).
            var inFlight = _sendsInFlight.Start(request.Nonce);
            var answer = SmsCodeAnswerKind.ProviderFailed;
            try
            {
                answer = await ForwardAsync(context, issue);
            }
            finally
            {
                inFlight.Complete(answer);
            }
        }
        catch (Exception ex)
        {
            CountFailure(context, policyName, ex);
            throw;
        }
    }

    private SmsCodeIssueRequest BuildRequest(HttpContext context, SmsCodePolicy policy, string mobile) =>
        new(policy.Database, policy.SendFlagKey.Build(mobile), policy.CodeKey.Build(mobile), policy.CodeStateKey.Build(mobile),
            _codes.Generate(policy.CodeLength), IssueNonce.Next(IdempotencyKeyOf(context)), policy.SendIntervalMilliseconds, policy.CodeLifetimeMilliseconds)
        {
            PerHour = policy.MaxPerHour > 0 ? SmsCodeCounter.MobilePerHour(policy.HourCounterKey.Build(mobile), policy.MaxPerHour) : SmsCodeCounter.Off,
            PerDay = policy.MaxPerDay > 0 ? SmsCodeCounter.MobilePerDay(policy.DayCounterKey.Build(mobile), policy.MaxPerDay) : SmsCodeCounter.Off,
            PerIpPerHour = policy.MaxPerIpPerHour > 0 ? SmsCodeCounter.IpPerHour(policy.IpCounterKey.Build(ClientAddress.Of(context, _ipv6PrefixLength)), policy.MaxPerIpPerHour) : SmsCodeCounter.Off,
            SendsPerMinute = policy.MaxSendsPerMinute > 0 ? SmsCodeCounter.SendsPerMinute(policy.SpendCounterKey, policy.MaxSendsPerMinute) : SmsCodeCounter.Off,
            Audit = policy.AuditStreamKey is { } stream ? new(stream, policy.Name, MobileMask.Mask(mobile)) : SmsCodeAudit.Off,
            Block = policy.Blocks?.For(mobile) ?? SmsCodeBlock.Off,
        };

    private static string? IdempotencyKeyOf(HttpContext context) =>
        context.Request.Headers.TryGetValue(IdempotencyKeyHeader, out var values) && values.Count == 1 ? values[0] : null;

    /// <summary>The same request again, while its code is live: the first one's answer again, and no second SMS.</summary>
    private async Task RepeatAsync(HttpContext context, SmsCodePolicy policy, SmsCodeIssueResult result)
    {
        // A first send still in flight here may yet fail and be rolled back: the repeat waits and gets its answer.
        var answer = await _sendsInFlight.AnswerOfAsync(result.FirstNonce, context.RequestAborted);
        _metrics.Request(policy.Name, SmsCodeGateResults.Repeated);
        if (answer == SmsCodeAnswerKind.ProviderTimeout)
        {
            context.Response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(result.RetryAfterSeconds);
        }

        await policy.Answers[answer].WriteAsync(context.Response, result.RetryAfterSeconds);
    }

    private Task RefuseAsync(HttpContext context, SmsCodePolicy policy, string mobile, SmsCodeIssueResult result)
    {
        if (result.Refusal == SmsCodeRefusal.Repeat)
        {
            return RepeatAsync(context, policy, result);
        }

        _metrics.Request(policy.Name, SmsCodeGateMetrics.ResultOf(result.Refusal));
        var retryAfter = result.RetryAfterSeconds;
        context.Response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(retryAfter);
        if (result.Refusal == SmsCodeRefusal.Spend)
        {
            if (_throttle.ShouldLog(EventIds.SpendGuardReached, policy.Name, out var suppressed))
            {
                Log.SpendGuardReached(_logger, policy.Name, policy.MaxSendsPerMinute, retryAfter, suppressed);
            }

            return policy.Answers[SmsCodeAnswerKind.SpendGuard].WriteAsync(context.Response, retryAfter);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.SendRefused(_logger, policy.Name, MobileMask.Mask(mobile), ReasonOf(result.Refusal), retryAfter);
        }

        return policy.Answers[SmsCodeAnswerKind.Refused].WriteAsync(context.Response, retryAfter);
    }

    private static string ReasonOf(SmsCodeRefusal reason) => reason switch
    {
        SmsCodeRefusal.Interval => "interval",
        SmsCodeRefusal.Hour => "hour",
        SmsCodeRefusal.Day => "day",
        SmsCodeRefusal.Ip => "ip",
        SmsCodeRefusal.Spend => "spend",
        _ => "unknown",
    };

    /// <summary>Forwards to the provider and answers; returns which answer, for a repeat that waits on this send.</summary>
    private async Task<SmsCodeAnswerKind> ForwardAsync(HttpContext context, SmsCodeIssue issue)
    {
        if (issue.Policy.Provider is { HasBody: true } provider)
        {
            ProviderRequestBody.Replace(context, provider.Body(issue.Mobile, issue.StoreRequest.Code, issue.Policy.CodeLifetimeMilliseconds));
        }
        else
        {
            ProviderRequestBody.Withhold(context);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await _next(context);
            if (ProviderFailover.TryPrepareRetry(context, issue))
            {
                // A definite failure on one of several destinations: once more, same code, on another.
                await _next(context);
            }
        }
        catch (Exception) when (!issue.ProviderSucceeded)
        {
            await RevokeAsync(issue, "exception");
            throw;
        }

        var policy = issue.Policy;
        if (issue.ProviderSucceeded)
        {
            // The SMS went out: nothing revokes its code now, not even a failure to copy the provider's answer.
            _metrics.ProviderCallCompleted(policy.Name, started, SmsCodeGateResults.Issued);
            _metrics.Request(policy.Name, SmsCodeGateResults.Issued);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.CodeSent(_logger, policy.Name, MobileMask.Mask(issue.Mobile));
            }

            if (!policy.PassProviderResponse && !context.Response.HasStarted)
            {
                await policy.Answers[SmsCodeAnswerKind.Sent].WriteAsync(context.Response);
            }

            return SmsCodeAnswerKind.Sent;
        }

        var error = context.GetForwarderErrorFeature();
        if (context.RequestAborted.IsCancellationRequested && issue.ProviderStatusCode is null)
        {
            // The client went away mid-forward, which cancels the provider call: it may have sent the SMS already.
            // Keep the code, so that a message that did go out can be verified; the flag expires with its TTL.
            _metrics.ProviderCallCompleted(policy.Name, started, SmsCodeGateResults.ClientAborted);
            _metrics.Request(policy.Name, SmsCodeGateResults.ClientAborted);
            if (_throttle.ShouldLog(EventIds.ClientAborted, policy.Name, out var suppressed))
            {
                Log.ClientAborted(_logger, policy.Name, suppressed);
            }

            return SmsCodeAnswerKind.ProviderTimeout;
        }

        if (issue.ProviderStatusCode is null && IsUncertain(error))
        {
            _metrics.ProviderCallCompleted(policy.Name, started, SmsCodeGateResults.ProviderTimeout);
            await ProviderTimedOutAsync(context, issue, error!.Error);
            return SmsCodeAnswerKind.ProviderTimeout;
        }

        _metrics.ProviderCallCompleted(policy.Name, started, SmsCodeGateResults.ProviderFailed);
        var failure = error is not null ? error.Error.ToString() : $"status {issue.ProviderStatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";
        await RevokeAsync(issue, failure);
        _metrics.Request(policy.Name, SmsCodeGateResults.ProviderFailed);
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await policy.Answers[SmsCodeAnswerKind.ProviderFailed].WriteAsync(context.Response);
        }

        return SmsCodeAnswerKind.ProviderFailed;
    }

    /// <summary>
    /// True when the provider may have received the request and sent the SMS: it timed out, or the connection broke
    /// after it was made. A refused connection, a failed name lookup or TLS handshake, no destination, or a request
    /// that could not be built never reached the provider: those are definite failures, and revoke.
    /// </summary>
    internal static bool IsUncertain(IForwarderErrorFeature? error)
    {
        if (error is null)
        {
            return false;
        }

        switch (error.Error)
        {
            case ForwarderError.RequestTimedOut:
                return true;
            case ForwarderError.Request:
                for (var exception = error.Exception; exception is not null; exception = exception.InnerException)
                {
                    if (exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }
                        or SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable })
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    private Task ProviderTimedOutAsync(HttpContext context, SmsCodeIssue issue, ForwarderError error)
    {
        var policy = issue.Policy;
        _metrics.Request(policy.Name, SmsCodeGateResults.ProviderTimeout);
        if (_throttle.ShouldLog(EventIds.ProviderTimedOut, policy.Name, out var suppressed))
        {
            Log.ProviderTimedOut(_logger, policy.Name, error.ToString(), suppressed);
        }

        // The flag stays: the next request is refused until it expires, so that is when to come back.
        var left = policy.SendIntervalMilliseconds - (long)_timeProvider.GetElapsedTime(issue.IssuedAt).TotalMilliseconds;
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.Clear();
        var retryAfter = Math.Max(1, (left + 999) / 1000);
        context.Response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(retryAfter);
        return policy.Answers[SmsCodeAnswerKind.ProviderTimeout].WriteAsync(context.Response, retryAfter);
    }

    private async Task RevokeAsync(SmsCodeIssue issue, string failure)
    {
        var policy = issue.Policy;
        try
        {
            var revoked = await _store.RevokeAsync(issue.StoreRequest);
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

    private enum GateRole
    {
        VerifyRoute,
        VerifyEndpoint,
    }

    private static partial class Log
    {
        // Per-request events are Debug (the metric counts them); the call sites check IsEnabled before masking the mobile.
        [LoggerMessage(EventIds.CodeSent, LogLevel.Debug, "SMS code sent: policy {Policy}, mobile {Mobile}.", EventName = nameof(EventIds.CodeSent), SkipEnabledCheck = true)]
        public static partial void CodeSent(ILogger logger, string policy, string mobile);

        [LoggerMessage(EventIds.SendRefused, LogLevel.Debug, "SMS send refused: policy {Policy}, mobile {Mobile}, reason {Reason}, retry after {RetryAfterSeconds} s.", EventName = nameof(EventIds.SendRefused), SkipEnabledCheck = true)]
        public static partial void SendRefused(ILogger logger, string policy, string mobile, string reason, long retryAfterSeconds);

        [LoggerMessage(EventIds.ProviderFailed, LogLevel.Warning, "SMS provider failed: policy {Policy}, failure {Failure}; flag and code revoked: {Revoked}. {Suppressed} more since the last such line.", EventName = nameof(EventIds.ProviderFailed))]
        public static partial void ProviderFailed(ILogger logger, string policy, string failure, bool revoked, long suppressed);

        [LoggerMessage(EventIds.RevokeFailed, LogLevel.Error, "SMS provider failed and the revoke failed too: policy {Policy}, failure {Failure}, store: {StoreFailure}. The flag expires with its TTL. {Suppressed} more since the last such line.", EventName = nameof(EventIds.RevokeFailed))]
        public static partial void RevokeFailed(ILogger logger, string policy, string failure, string storeFailure, long suppressed);


        [LoggerMessage(EventIds.PolicyMissing, LogLevel.Error, "Route names SMS code policy {Policy}, which is not configured; answering 500 and not forwarding. {Suppressed} more since the last such line.", EventName = nameof(EventIds.PolicyMissing))]
        public static partial void PolicyMissing(ILogger logger, string policy, long suppressed);

        [LoggerMessage(EventIds.SpendGuardReached, LogLevel.Warning, "SMS spend guard reached: policy {Policy} forwarded its {MaxSendsPerMinute} sends this minute; refusing with 503 for {RetryAfterSeconds} s. {Suppressed} more since the last such line.", EventName = nameof(EventIds.SpendGuardReached))]
        public static partial void SpendGuardReached(ILogger logger, string policy, int maxSendsPerMinute, long retryAfterSeconds, long suppressed);

        [LoggerMessage(EventIds.InvalidMobile, LogLevel.Debug, "SMS code request for an invalid mobile: policy {Policy}, mobile {Mobile}; answered 404.", EventName = nameof(EventIds.InvalidMobile), SkipEnabledCheck = true)]
        public static partial void InvalidMobile(ILogger logger, string policy, string mobile);

        [LoggerMessage(EventIds.ClientAborted, LogLevel.Warning, "Client went away while the SMS was being forwarded: policy {Policy}. The provider may have sent it, so the code is kept. {Suppressed} more since the last such line.", EventName = nameof(EventIds.ClientAborted))]
        public static partial void ClientAborted(ILogger logger, string policy, long suppressed);

        [LoggerMessage(EventIds.PolicyRejectedRequest, LogLevel.Error, "SMS code policy {Policy} cannot run on this store and is answered 503: {Rejection} {Suppressed} more since the last such line.", EventName = "PolicyRejected")]
        public static partial void PolicyRejected(ILogger logger, string policy, string rejection, long suppressed);

        [LoggerMessage(EventIds.ProviderTimedOut, LogLevel.Warning, "SMS provider did not answer in time ({Failure}): policy {Policy}. It may have sent the SMS, so flag and code are kept; answered 504. {Suppressed} more since the last such line.", EventName = nameof(EventIds.ProviderTimedOut))]
        public static partial void ProviderTimedOut(ILogger logger, string policy, string failure, long suppressed);

        [LoggerMessage(EventIds.MethodNotAllowed, LogLevel.Debug, "{Method} on a gated route that does not accept it; answered 405: policy {Policy}.", EventName = nameof(EventIds.MethodNotAllowed))]
        public static partial void MethodNotAllowed(ILogger logger, string policy, string method);

        [LoggerMessage(EventIds.PathRefused, LogLevel.Debug, "{Method} for a path that spells a gated path in another form, or holds a control character; answered 400.", EventName = nameof(EventIds.PathRefused))]
        public static partial void PathRefused(ILogger logger, string method);
    }
}
