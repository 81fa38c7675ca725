using Gateway.Middleware.Routing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Middleware.Send;

/// <summary>
/// One retry of a send on another provider destination, with the same code, before the gate rolls back. Only after a
/// definite failure: a refused connection (or one never made), a 5xx, or a 2xx that <c>Provider:SuccessWhen</c>
/// rejects. A timeout is never retried: the SMS may have gone. The failed destination is left out of the retry;
/// YARP's passive health checks, where the cluster has them, mark it for the requests after.
/// </summary>
internal static class ProviderFailover
{
    public static bool TryPrepareRetry(HttpContext context, SmsCodeIssue issue)
    {
        if (issue.ProviderSucceeded || issue.Retried || context.RequestAborted.IsCancellationRequested || context.Response.HasStarted)
        {
            return false;
        }

        var proxy = context.GetReverseProxyFeature();
        var failed = proxy.ProxiedDestination;
        var error = context.GetForwarderErrorFeature();
        var definite = issue.ProviderStatusCode is { } status
            ? status >= StatusCodes.Status500InternalServerError || issue.ProviderRejected
            : error is not null && error.Error is ForwarderError.Request && !SmsCodeGateMiddleware.IsUncertain(error);
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
        issue.Retried = true;
        issue.ProviderStatusCode = null;
        issue.ProviderRejected = false;
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.Clear();
        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }

        return true;
    }
}
