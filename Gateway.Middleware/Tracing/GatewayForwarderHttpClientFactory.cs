using System.Net.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Middleware.Tracing;

/// <summary>
/// YARP's client factory, with the gateway's trace propagation on every cluster's handler: the SMS provider gets the
/// gateway's trace context and never the client's, and a legacy app gets bounded baggage
/// (see <see cref="GatewayTracePropagator"/> and <see cref="ProviderTraceHandler"/>).
/// </summary>
internal sealed class GatewayForwarderHttpClientFactory : ForwarderHttpClientFactory
{
    public GatewayForwarderHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger)
        : base(logger)
    {
    }

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (handler.ActivityHeadersPropagator is { } propagator)
        {
            handler.ActivityHeadersPropagator = new GatewayTracePropagator(propagator);
        }
    }

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        new ProviderTraceHandler(base.WrapHandler(context, handler));
}
