using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Requests;
using Gateway.Middleware.Send;
using Gateway.Middleware.Verify;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Model;

namespace Gateway.Middleware.Routing;

/// <summary>
/// The gate, a step of the YARP proxy pipeline, and its dispatcher. On a route whose metadata names a gate role it
/// checks the method, creates the request's one <see cref="SmsCodeGateContext"/>, reads the policy and the mobile, and
/// hands off to the send handler or the verify handler. On every other route it only refuses spellings of a gated
/// path that routing did not recognise (see <see cref="GatedPathGuard"/>).
/// </summary>
/// <remarks>
/// Every request the gate handles is counted once by <c>sms_code_gate.requests</c>, here, from its context's outcome;
/// an exception included. Refusals (400, 404, 405) are logged at Debug only: a flood of them must not become a flood
/// of log lines. Warnings that every failing request would repeat go through <see cref="LogThrottle"/>.
/// </remarks>
internal sealed partial class SmsCodeGateMiddleware
{
    private readonly RequestDelegate _next;
    private readonly GatedRequestReader _reader;
    private readonly SmsCodeSendHandler _send;
    private readonly SmsCodeVerifyHandler _verify;
    private readonly GatedPathGuard _pathGuard;
    private readonly SmsCodeGateMetrics _metrics;
    private readonly ILogger<SmsCodeGateMiddleware> _logger;

    public SmsCodeGateMiddleware(
        RequestDelegate next, GatedRequestReader reader, SmsCodeSendHandler send, SmsCodeVerifyHandler verify, GatedPathGuard pathGuard,
        SmsCodeGateMetrics metrics, ILogger<SmsCodeGateMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(verify);
        ArgumentNullException.ThrowIfNull(pathGuard);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _next = next;
        _reader = reader;
        _send = send;
        _verify = verify;
        _pathGuard = pathGuard;
        _metrics = metrics;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetRouteModel().Config.Metadata;
        if (!SmsCodeGateMetadata.IsGated(metadata))
        {
            return GatedPathGuard.NeedsCheck(context.Request.Path) ? GuardUngatedAsync(context) : _next(context);
        }

        var role = GateRole.Send;
        if (!metadata!.TryGetValue(SmsCodeGateMetadata.PolicyName, out var policyName))
        {
            role = metadata.TryGetValue(SmsCodeGateMetadata.VerifyPolicyName, out policyName) ? GateRole.VerifyRoute : GateRole.VerifyEndpoint;
            policyName ??= metadata[SmsCodeGateMetadata.VerifyEndpointName];
        }

        var gate = new SmsCodeGateContext(context, policyName, metadata);
        if (metadata.TryGetValue(GatedRouteMethodsFilter.AllowedMethodsMetadata, out var allowed) && !GatedRouteMethodsFilter.IsAllowed(context.Request.Method, allowed))
        {
            var answered = MethodNotAllowedAsync(gate, allowed);
            Count(gate);
            return answered;
        }

        context.Features.Set(gate);
        return HandleAsync(gate, role);
    }

    private async Task HandleAsync(SmsCodeGateContext gate, GateRole role)
    {
        try
        {
            if (await _reader.ReadAsync(gate))
            {
                await (role switch
                {
                    GateRole.Send => _send.SendAsync(gate, _next),
                    GateRole.VerifyRoute => _verify.GuardAsync(gate, _next),
                    _ => _verify.AnswerAsync(gate),
                });
            }
        }
        catch (Exception ex) when (gate.Result is null)
        {
            // A code the provider accepted went out; else the client left, or something failed.
            if (gate.ProviderAnswer is { Succeeded: true })
            {
                gate.Complete(SmsCodeGateResults.Issued);
            }
            else
            {
                gate.Complete(gate.HttpContext.RequestAborted.IsCancellationRequested ? SmsCodeGateResults.ClientAborted : SmsCodeGateResults.Error, ex.GetType().FullName);
            }

            throw;
        }
        finally
        {
            Count(gate);
        }
    }

    /// <summary>The one count of a gated request, from its context's outcome.</summary>
    private void Count(SmsCodeGateContext gate) => Count(gate.PolicyName, gate.Result ?? SmsCodeGateResults.Error, gate.ErrorType);

    /// <summary>The one place that counts a request the gate handled: <c>sms_code_gate.requests</c>.</summary>
    private void Count(string policy, string result, string? errorType)
    {
        if (errorType is null)
        {
            _metrics.Request(policy, result);
        }
        else
        {
            _metrics.Request(policy, result, errorType);
        }
    }

    private async Task GuardUngatedAsync(HttpContext context)
    {
        if (!_pathGuard.IsGatedOrInvalid(context.Request.Path))
        {
            await _next(context);
            return;
        }

        Count(string.Empty, SmsCodeGateResults.PathRefused, errorType: null);
        Log.PathRefused(_logger, context.Request.Method);
        await SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status400BadRequest, SmsCodeResponses.PathRefused);
    }

    private Task MethodNotAllowedAsync(SmsCodeGateContext gate, string allowed)
    {
        var context = gate.HttpContext;
        gate.Complete(SmsCodeGateResults.MethodNotAllowed);
        Log.MethodNotAllowed(_logger, gate.PolicyName, context.Request.Method);
        context.Response.Headers.Allow = allowed;
        return SmsCodeResponses.WriteAsync(context.Response, StatusCodes.Status405MethodNotAllowed, SmsCodeResponses.MethodNotAllowed(allowed));
    }

    private enum GateRole
    {
        Send,
        VerifyRoute,
        VerifyEndpoint,
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.MethodNotAllowed, LogLevel.Debug, "{Method} on a gated route that does not accept it; answered 405: policy {Policy}.", EventName = nameof(EventIds.MethodNotAllowed))]
        public static partial void MethodNotAllowed(ILogger logger, string policy, string method);

        [LoggerMessage(EventIds.PathRefused, LogLevel.Debug, "{Method} for a path that spells a gated path in another form, or holds a control character; answered 400.", EventName = nameof(EventIds.PathRefused))]
        public static partial void PathRefused(ILogger logger, string method);
    }
}
