using System.Net.Http;
using System.Net.Sockets;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Requests;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Middleware.Send;

/// <summary>
/// Forwards an issued code to the SMS provider through the rest of the YARP pipeline and tells how it went: sent,
/// failed for sure, timed out (it may have gone), or the client left. It owns the body the provider gets, the one
/// retry on another destination, and the classification of a forward that got no answer. The provider's answer
/// comes from the response transform's report in the request's <see cref="SmsCodeGateContext"/>.
/// </summary>
internal sealed class ProviderForwarder
{
    private readonly SmsCodeGateMetrics _metrics;

    public ProviderForwarder(SmsCodeGateMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _metrics = metrics;
    }

    /// <summary>Forwards, once more on another destination after a definite failure, and classifies the result.</summary>
    public async Task<ProviderResult> ForwardAsync(SmsCodeGateContext gate, RequestDelegate next)
    {
        var context = gate.HttpContext;
        var policy = gate.Policy;
        if (policy.Provider is { HasBody: true } provider)
        {
            ProviderRequestBody.Replace(context, provider.Body(gate.Mobile, gate.Code, policy.CodeLifetimeMilliseconds));
        }
        else
        {
            ProviderRequestBody.Withhold(context);
        }

        var started = _metrics.ProviderCallStarted();
        await next(context);
        if (TryPrepareRetry(gate))
        {
            // A definite failure on one of several destinations: once more, same code, on another.
            await next(context);
        }

        var result = Classify(gate);
        _metrics.ProviderCallCompleted(policy.Name, started, result.Outcome switch
        {
            ProviderOutcome.Sent => SmsCodeGateResults.Issued,
            ProviderOutcome.ClientAborted => SmsCodeGateResults.ClientAborted,
            ProviderOutcome.TimedOut => SmsCodeGateResults.ProviderTimeout,
            _ => SmsCodeGateResults.ProviderFailed,
        });
        return result;
    }

    private static ProviderResult Classify(SmsCodeGateContext gate)
    {
        var answer = gate.ProviderAnswer;
        if (answer is { Succeeded: true })
        {
            return new ProviderResult(ProviderOutcome.Sent, string.Empty);
        }

        var context = gate.HttpContext;
        var error = context.GetForwarderErrorFeature();
        if (answer is null && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-forward, which cancels the provider call: it may have sent the SMS already.
            return new ProviderResult(ProviderOutcome.ClientAborted, "client aborted");
        }

        if (answer is null && IsUncertain(error))
        {
            return new ProviderResult(ProviderOutcome.TimedOut, error!.Error.ToString());
        }

        var failure = error is not null
            ? error.Error.ToString()
            : $"status {answer?.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";
        return new ProviderResult(ProviderOutcome.Failed, failure);
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

    /// <summary>
    /// Readies one retry of a send on another provider destination, with the same code, before the gate rolls back.
    /// Only after a definite failure: a refused connection (or one never made), a 5xx, or a 2xx that
    /// <c>Provider:SuccessWhen</c> rejects. A timeout is never retried: the SMS may have gone. The failed destination
    /// is left out of the retry; YARP's passive health checks, where the cluster has them, mark it for the requests after.
    /// </summary>
    private static bool TryPrepareRetry(SmsCodeGateContext gate)
    {
        var context = gate.HttpContext;
        if (gate.ProviderAnswer is { Succeeded: true } || context.RequestAborted.IsCancellationRequested || context.Response.HasStarted)
        {
            return false;
        }

        var proxy = context.GetReverseProxyFeature();
        var failed = proxy.ProxiedDestination;
        var error = context.GetForwarderErrorFeature();
        var definite = gate.ProviderAnswer is { } answer
            ? answer.StatusCode >= StatusCodes.Status500InternalServerError || answer.Rejected
            : error is not null && error.Error is ForwarderError.Request && !IsUncertain(error);
        if (!definite || failed is null)
        {
            return false;
        }

        // The load balancer narrowed AvailableDestinations to the one it chose; start again from the cluster's healthy ones.
        var healthy = proxy.Route.Cluster?.DestinationsState.AvailableDestinations ?? proxy.AllDestinations;
        var others = healthy.Where(destination => !ReferenceEquals(destination, failed)).ToList();
        if (others.Count == 0)
        {
            return false;
        }

        proxy.AvailableDestinations = others;
        gate.ForgetProviderAnswer();
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.Clear();
        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }

        return true;
    }
}
