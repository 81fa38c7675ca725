using System.Diagnostics;
using System.Net.Http;

namespace Gateway.Middleware.Tracing;

/// <summary>
/// Sends a request to the SMS provider under a new root activity: a trace of the gateway's own, linked to the
/// client's, so that what the handler propagates (trace id, state, baggage) is the gateway's and not the client's.
/// Every other request passes through untouched.
/// </summary>
internal sealed class ProviderTraceHandler : DelegatingHandler
{
    /// <summary>The source of the provider call's activity; listened to like any other (e.g. by OpenTelemetry).</summary>
    internal static readonly ActivitySource Source = new("Gateway.Middleware.SmsProvider");

    private const string ActivityName = "SmsCodeGate.ProviderCall";

    public ProviderTraceHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        ProviderCall.Is(request) ? SendAsRootAsync(request, cancellationToken) : base.SendAsync(request, cancellationToken);

    private async Task<HttpResponseMessage> SendAsRootAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var client = Activity.Current;
        Activity.Current = null;
        ActivityLink[]? links = client is null ? null : [new ActivityLink(client.Context)];
        using var activity = Source.StartActivity(ActivityName, ActivityKind.Internal, parentContext: default, links: links)
            ?? new Activity(ActivityName).SetIdFormat(ActivityIdFormat.W3C).Start();
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            activity.Stop();
            Activity.Current = client;
        }
    }
}
