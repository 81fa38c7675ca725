using System.Diagnostics.Metrics;
using System.Net;
using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Gateway.Tests.Gate;

/// <summary>
/// Repeats of one send: the same idempotency key, and hundreds at once for one mobile, forward one SMS, on both stores.
/// </summary>
public abstract partial class SmsCodeGateContractTests
{
    [Fact]
    public async Task Get_RepeatWithTheSameIdempotencyKey_GetsTheFirstAnswerAgainAndNoSecondSms()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        var first = await SendWithKeyAsync(client, mobile, "order-42:attempt");
        var repeat = await SendWithKeyAsync(client, mobile, "order-42:attempt");
        var otherKey = await SendWithKeyAsync(client, mobile, "order-43");
        var noKey = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(GatewayClient.LegacyOkBody, await repeat.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.BadRequest, otherKey.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        var sent = Assert.Single(Provider.RequestsFor(mobile));
        Assert.True(await store.HoldsCodeAsync(host, mobile, sent.Code!));

        // Once the interval is over the key means nothing: a new request sends a new code.
        await store.PassSendIntervalAsync(host, mobile);
        Assert.Equal(HttpStatusCode.OK, (await SendWithKeyAsync(client, mobile, "order-42:attempt")).StatusCode);
        Assert.Equal(2, Provider.RequestsFor(mobile).Count);
    }

    [Fact]
    public async Task Get_RepeatWhileTheFirstIsInFlightAndThenFails_GetsTheFailureNotASent()
    {
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Provider.AnswerWhen = answer;
        Provider.StatusCode = 500;
        var host = StartGateway();
        using var storeCalls = new MetricCollector<double>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.store.duration");
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        // The provider holds the first send's answer until the store has answered the repeat's call too (a repeat of a
        // send in flight): from there the repeat waits for the first.
        var first = SendWithKeyAsync(client, mobile, "k-1");
        await Provider.Received.Task.WaitAsync(HangGuard);
        var repeat = SendWithKeyAsync(client, mobile, "k-1");
        await storeCalls.WaitForMeasurementsAsync(2).WaitAsync(HangGuard);
        answer.SetResult();

        // The first send failed and was rolled back: the repeat, which waited for it, is not told "sent".
        Assert.Equal(HttpStatusCode.BadGateway, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, (await repeat).StatusCode);
        Assert.Single(Provider.RequestsFor(mobile));
        Assert.False(await store.HasCodeAsync(host, mobile));
    }

    private static Task<HttpResponseMessage> SendWithKeyAsync(HttpClient client, string mobile, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/");
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Get_HundredsInParallelForOneMobile_ForwardExactlyOne()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        client.Timeout = GatewayClient.BurstHangGuard;
        var mobile = TestMobiles.Next();

        var responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => client.RequestCodeAsync(mobile, within: GatewayClient.BurstHangGuard)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(299, responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest));
        Assert.Single(Provider.RequestsFor(mobile));
    }
}
