using System.Net;

namespace Gateway.Tests.Diagnostics;

/// <summary>
/// The provider's failures (a timeout, a refused connection, a 500) and a client leaving mid-forward leak nothing.
/// </summary>
public sealed partial class NoLeakTests
{
    [Fact]
    public async Task ProviderTimesOut_504_LeaksNothing()
    {
        Provider.AnswerWhen = new TaskCompletionSource(); // never answers: the gateway's timeout ends the send
        var (host, client) = Start(edit: config => config.WithProviderTimeout(TimeSpan.FromMilliseconds(500)));

        Assert.Equal(HttpStatusCode.GatewayTimeout, (await client.RequestCodeAsync(Mobile())).StatusCode);

        AssertNoLeak(host, "ProviderTimedOut");
    }

    [Fact]
    public async Task ProviderRefusesTheConnection_502_LeaksNothing()
    {
        var deadProvider = RefusingAddress.Http;
        var (host, client) = Start(edit: config =>
            config.Root["ReverseProxy"]!["Clusters"]!["sms-provider"]!["Destinations"]!["provider"]!["Address"] = deadProvider.ToString());

        Assert.Equal(HttpStatusCode.BadGateway, (await client.RequestCodeAsync(Mobile())).StatusCode);

        AssertNoLeak(host, "ProviderFailed");
    }

    [Fact]
    public async Task ProviderAnswers500_502_LeaksNothing()
    {
        Provider.StatusCode = 500;
        var (host, client) = Start();

        Assert.Equal(HttpStatusCode.BadGateway, (await client.RequestCodeAsync(Mobile())).StatusCode);

        Assert.NotEmpty(Provider.Requests);
        AssertNoLeak(host, "ProviderFailed");
    }

    [Fact]
    public async Task ClientAbortsWhileForwarding_LeaksNothing()
    {
        Provider.AnswerWhen = new TaskCompletionSource(); // never answers: the client's abort ends the send
        var (host, client) = Start();
        var mobile = Mobile();
        using var abort = new CancellationTokenSource();

        var pending = client.GetAsync(new Uri($"/sms_codes/{mobile}/", UriKind.Relative), abort.Token);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Provider.RequestsFor(mobile).Count == 1)));
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(host.Logs.GetSnapshot().Any(l => l.Id.Name == "ClientAborted"))));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        AssertNoLeak(host, "ClientAborted");
    }
}
