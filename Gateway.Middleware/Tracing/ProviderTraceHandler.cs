using System.Diagnostics;
using System.Net.Http;

namespace Gateway.Middleware.Tracing;

/// <summary>
/// On a provider cluster's client, which propagates nothing and so has no HTTP client activity of its own: the call
/// to the provider as an activity of the gateway's source, only while something listens to that source (e.g.
/// OpenTelemetry with <c>AddSource("Gateway.Middleware.SmsProvider")</c>). It stays in the gateway's traces; nothing
/// of it goes to the provider.
/// </summary>
internal sealed class ProviderTraceHandler : DelegatingHandler
{
    /// <summary>The name of <see cref="Source"/>.</summary>
    internal const string SourceName = "Gateway.Middleware.SmsProvider";

    /// <summary>The source of the provider call's activity; listened to like any other (e.g. by OpenTelemetry).</summary>
    internal static readonly ActivitySource Source = new(SourceName);

    internal const string ActivityName = "SmsCodeGate.ProviderCall";

    public ProviderTraceHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Source.HasListeners() ? SendTracedAsync(request, cancellationToken) : base.SendAsync(request, cancellationToken);

    private async Task<HttpResponseMessage> SendTracedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var activity = Source.StartActivity(ActivityName, ActivityKind.Client);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
