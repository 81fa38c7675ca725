using System.Net.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Middleware.Tracing;

/// <summary>
/// YARP's client factory, with the gateway's trace propagation: a cluster marked <c>SmsProvider</c> gets no activity
/// propagation at all (no trace headers, and no per-request diagnostics handler), while every other cluster keeps
/// YARP's, with bounded baggage and nothing for a send route's request (see <see cref="GatewayTracePropagator"/>).
/// </summary>
internal sealed class GatewayForwarderHttpClientFactory : ForwarderHttpClientFactory
{
    public GatewayForwarderHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger)
        : base(logger)
    {
    }

    /// <summary>YARP reuses a client when only the metadata changed: not when the provider mark did.</summary>
    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context)
        && SmsCodeGateMetadata.IsProviderCluster(context.OldMetadata) == SmsCodeGateMetadata.IsProviderCluster(context.NewMetadata);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (SmsCodeGateMetadata.IsProviderCluster(context.NewMetadata))
        {
            // The provider is a third party: it gets no trace context, the client's or the gateway's. With no
            // propagator, SocketsHttpHandler leaves its DiagnosticsHandler out: no activity, no header work per call.
            handler.ActivityHeadersPropagator = null;
        }
        else if (handler.ActivityHeadersPropagator is { } propagator)
        {
            handler.ActivityHeadersPropagator = new GatewayTracePropagator(propagator);
        }
    }

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler)
    {
        var wrapped = base.WrapHandler(context, handler);
        return SmsCodeGateMetadata.IsProviderCluster(context.NewMetadata) ? new ProviderTraceHandler(wrapped) : wrapped;
    }
}
