using System.Net.Http;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Middleware.Tracing;

/// <summary>
/// Marks a request to the SMS provider (a send route's), so that the handler and the propagator of its cluster give
/// it the gateway's own trace context and none of the client's. The provider is a third party: the client's trace
/// id, trace state and baggage are the client's to give, not the gateway's.
/// </summary>
internal sealed class ProviderCall : RequestTransform
{
    public static ProviderCall Instance { get; } = new();

    /// <summary>Every header that carries trace context, in the W3C and the older hierarchical formats.</summary>
    internal static readonly string[] TraceHeaders = ["traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context"];

    private static readonly HttpRequestOptionsKey<bool> Key = new("SmsCodeGate.ProviderCall");

    public static bool Is(HttpRequestMessage request) => request.Options.TryGetValue(Key, out var marked) && marked;

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.ProxyRequest;
        request.Options.Set(Key, true);

        // Whatever a policy lets through of the client's headers, none of these.
        foreach (var name in TraceHeaders)
        {
            request.Headers.Remove(name);
        }

        return ValueTask.CompletedTask;
    }
}
