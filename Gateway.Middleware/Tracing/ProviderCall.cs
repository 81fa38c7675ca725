using System.Net.Http;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Middleware.Tracing;

/// <summary>
/// A send route's request to the SMS provider: none of the client's trace headers go with it, whatever a policy lets
/// through. On a cluster not marked <c>SmsProvider</c> (a route with <c>SmsProviderUnmarked: allow</c>) it also marks
/// the request, so that the cluster's propagator (see <see cref="GatewayTracePropagator"/>) adds no trace context of
/// its own; a marked cluster's client propagates nothing (see <see cref="GatewayForwarderHttpClientFactory"/>).
/// </summary>
internal sealed class ProviderCall : RequestTransform
{
    private readonly bool _mark;

    private ProviderCall(bool mark) => _mark = mark;

    /// <summary>For a provider cluster's route, whose client propagates nothing: no mark needed.</summary>
    public static ProviderCall OnProviderCluster { get; } = new(mark: false);

    /// <summary>For a send route on a cluster not marked as a provider's (or not known yet): marks the request.</summary>
    public static ProviderCall OnOtherCluster { get; } = new(mark: true);

    /// <summary>Every header that carries trace context, in the W3C and the older hierarchical formats.</summary>
    internal static readonly string[] TraceHeaders = ["traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context"];

    private static readonly HttpRequestOptionsKey<bool> Key = new("SmsCodeGate.ProviderCall");

    public static bool Is(HttpRequestMessage request) => request.Options.TryGetValue(Key, out var marked) && marked;

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.ProxyRequest;
        if (_mark)
        {
            request.Options.Set(Key, true);
        }

        // Whatever a policy lets through of the client's headers, none of these.
        foreach (var name in TraceHeaders)
        {
            request.Headers.Remove(name);
        }

        return ValueTask.CompletedTask;
    }
}
