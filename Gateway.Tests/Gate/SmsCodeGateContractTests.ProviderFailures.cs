using System.Net;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Gate;

/// <summary>
/// When the provider fails, hangs or breaks its answer, or the client goes away: what the client is told and whether
/// the code is kept or revoked, on both stores.
/// </summary>
public abstract partial class SmsCodeGateContractTests
{
    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(400)]
    public async Task Get_ProviderAnswersError_Returns502AndRevokesSoTheUserCanRetryAtOnce(int providerStatus)
    {
        Provider.StatusCode = providerStatus;
        Provider.EchoCode = true;
        var host = StartGateway();
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        var failed = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Contains("SMS provider failed", await GatewayClient.MessageOfAsync(failed), StringComparison.Ordinal);
        Assert.False(failed.Headers.Contains(RecordingSmsProvider.CodeHeader));
        Assert.Equal(0, await store.SendFlagLeftAsync(host, mobile));
        Assert.False(await store.HasCodeAsync(host, mobile));

        Provider.StatusCode = 200;
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(2, Provider.RequestsFor(mobile).Count);
    }

    [Fact]
    public async Task Get_ProviderRefusesConnection_Returns502AndRevokes()
    {
        var deadProvider = RefusingAddress.Http;
        var host = StartGateway(config =>
            config.Root["ReverseProxy"]!["Clusters"]!["sms-provider"]!["Destinations"]!["provider"]!["Address"] = deadProvider.ToString());
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, await store.SendFlagLeftAsync(host, mobile));
        Assert.False(await store.HasCodeAsync(host, mobile));
    }

    [Fact]
    public async Task Get_ProviderNeverAnswers_Returns504WithRetryAfterAndKeepsFlagAndCode()
    {
        // The provider takes the send and never answers: only the gateway's activity timeout can end the request.
        Provider.AnswerWhen = new TaskCompletionSource();
        var host = StartGateway(config => config.WithProviderTimeout(TimeSpan.FromSeconds(1)));
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        // The provider may have sent the SMS before it went quiet: its code must still verify, and a retry waits.
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("did not answer in time", await GatewayClient.MessageOfAsync(response), StringComparison.Ordinal);
        Assert.InRange(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 50, 60);
        var sent = Assert.Single(Provider.RequestsFor(mobile));
        Assert.True(await store.SendFlagLeftAsync(host, mobile) > 0);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.CreateClient().RequestCodeAsync(mobile)).StatusCode);
        Assert.True(await store.HoldsCodeAsync(host, mobile, sent.Code!));
    }

    [Fact]
    public async Task Get_ProviderAnswered2xxButItsAnswerBreaksMidCopy_KeepsTheCode()
    {
        var abort = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Provider.AbortMidBodyWhen = abort;
        var host = StartGateway(config => config.Policy["PassProviderResponse"] = true, gateLogLevel: LogLevel.Debug);
        var mobile = TestMobiles.Next();

        // The client has the provider's 200 before the provider breaks off: the SMS was accepted, then the copy failed.
        using var response = await host.CreateClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/"), HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        abort.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        // Once the gate has decided, the code must still verify, however the copy of the answer ended.
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(
            host.Logs.GetSnapshot().Any(l => l.Id.Name is "CodeSent" or "ProviderFailed" or "RevokeFailed"))), host.Logs.GetSnapshot().Describe());
        var sent = Assert.Single(Provider.RequestsFor(mobile));
        Assert.DoesNotContain(host.Logs.GetSnapshot(), l => l.Id.Name == "ProviderFailed");
        Assert.True(await store.SendFlagLeftAsync(host, mobile) > 0);
        Assert.True(await store.HoldsCodeAsync(host, mobile, sent.Code!));
    }

    [Fact]
    public async Task Get_ProviderFailsAfterTheSendIntervalPassed_StillRevokesTheCode()
    {
        // A provider slower than the interval: the flag has expired by the time it fails, the code has not.
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Provider.AnswerWhen = answer;
        Provider.StatusCode = 500;
        var host = StartGateway();
        var mobile = TestMobiles.Next();

        var pending = host.CreateClient().RequestCodeAsync(mobile);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Provider.RequestsFor(mobile).Count == 1)));
        await store.PassSendIntervalAsync(host, mobile);
        Assert.Equal(0, await store.SendFlagLeftAsync(host, mobile));
        answer.SetResult();
        var response = await pending;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Single(Provider.RequestsFor(mobile));
        Assert.False(await store.HasCodeAsync(host, mobile));
        Assert.True(await store.CodeStateGoneAsync(host, mobile));
    }

    [Fact]
    public async Task Get_ClientAbortsWhileForwarding_KeepsTheCodeTheProviderMayHaveSent()
    {
        // The provider never answers: the client's abort is what ends the send.
        Provider.AnswerWhen = new TaskCompletionSource();
        var host = StartGateway();
        var mobile = TestMobiles.Next();
        using var abort = new CancellationTokenSource();

        var pending = host.CreateClient().GetAsync(new Uri($"/sms_codes/{mobile}/", UriKind.Relative), abort.Token);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Provider.RequestsFor(mobile).Count == 1)));
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(host.Logs.GetSnapshot().Any(l => l.Id.Name == "ClientAborted"))));
        Assert.True(await store.HoldsCodeAsync(host, mobile, Provider.RequestsFor(mobile).Single().Code!));
    }
}
