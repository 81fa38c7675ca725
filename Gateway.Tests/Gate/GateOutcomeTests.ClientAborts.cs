using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Gateway.Tests.Gate;

/// <summary>
/// A client that leaves mid-request is counted once as client_aborted, and the request it left behind as what it
/// became.
/// </summary>
public sealed partial class GateOutcomeTests
{
    [Fact]
    public async Task Requests_ClientLeavesWhileItsBodyIsRead_CountedOnceAsClientAborted()
    {
        var host = StartGateway();
        using var requests = Requests(host);
        using var abort = new CancellationTokenSource();
        using var body = new StalledContent("mobile=1380013");

        // Not CreateClient(): its redirect handler reads the whole body before it sends the request.
        var pending = host.Server.CreateClient().PostAsync(new Uri("/verifications/sms/", UriKind.Relative), body, abort.Token);
        await body.Started.WaitAsync(TimeSpan.FromSeconds(10));
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        Assert.Equal([SmsCodeGateResults.ClientAborted], await ResultsAsync(requests, 1));
        Assert.Empty(Provider.OtherRequests);
    }

    [Fact]
    public async Task Requests_RepeatLeavesWhileTheFirstIsInFlight_CountedOnceAsClientAbortedAndTheFirstAsIssued()
    {
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Provider.AnswerWhen = answer;
        var host = StartGateway();
        using var requests = Requests(host);
        using var storeCalls = new MetricCollector<double>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.store.duration");
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        using var abort = new CancellationTokenSource();

        // The provider holds the first send until the repeat, which the store has answered (a repeat of a send in
        // flight) and which waits for the first, has left.
        var first = client.SendAsync(WithIdempotencyKey(mobile, "k-1")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Provider.RequestsFor(mobile).Count == 1)));
        var repeat = client.SendAsync(WithIdempotencyKey(mobile, "k-1"), abort.Token);
        await storeCalls.WaitForMeasurementsAsync(2).WaitAsync(TimeSpan.FromSeconds(30));
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repeat);
        answer.SetResult();

        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(
            [SmsCodeGateResults.ClientAborted, SmsCodeGateResults.Issued],
            (await ResultsAsync(requests, 2)).Order(StringComparer.Ordinal));
        Assert.Single(Provider.RequestsFor(mobile));
    }

    private static HttpRequestMessage WithIdempotencyKey(string mobile, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/");
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    /// <summary>A form body that sends its first bytes, then nothing until it is released or the client gives up.</summary>
    private sealed class StalledContent : HttpContent
    {
        private readonly byte[] _prefix;
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public StalledContent(string prefix)
        {
            _prefix = Encoding.ASCII.GetBytes(prefix);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        }

        public Task Started => _started.Task;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(_prefix, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            _started.TrySetResult();
            await _released.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            _released.TrySetResult();
            base.Dispose(disposing);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
