using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Diagnostics;

/// <summary>
/// The store's failures (down, answering an error, answering too late) leak nothing, and are logged by kind, never in
/// Redis's own words.
/// </summary>
public sealed partial class NoLeakTests
{
    [Fact]
    public async Task RedisDown_503ToSendAndVerify_LeaksNothing()
    {
        var (host, client) = Start(verify: true);
        var mobile = Mobile();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        var code = Provider.RequestsFor(mobile).Single().Code!;

        await Redis.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(Mobile())).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(Mobile())).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await VerifyAsync(client, mobile, code)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        AssertNoLeak(host, "StoreUnavailable");
        AssertStoreFailureNamedByKindOnly(host);
    }

    [Fact]
    public async Task RedisAnswersAnError_503_LeaksNothing()
    {
        var (host, client) = Start(edit: config => config.Policy["MaxPerHour"] = 5);
        var mobile = Mobile();
        await Redis.Database(2).ListLeftPushAsync($"sms_hour_{mobile}", "not a counter");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(mobile)).StatusCode);

        AssertNoLeak(host, "StoreUnavailable");
        AssertStoreFailureNamedByKindOnly(host);
    }

    [Fact]
    public async Task IssueLandsAfterTheStoreTimeout_503AndLateRevoke_LeakNothing()
    {
        var time = new WatchedTimeProvider();
        var (host, client) = Start(edit: config => config.WithStoreTimeout(GatewayConfig.StoreTimeoutForAFakeClock), time: time);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(Mobile())).StatusCode);
        var mobile = Mobile();

        // Paused, Redis takes the issue call and answers nothing; the store timeout passes on the fake clock; resumed,
        // Redis runs the issue the gate gave up on, and then its revoke.
        await Redis.PauseAsync();
        var waiting = time.NextTimerAsync(GatewayConfig.StoreTimeoutForAFakeClock);
        var pending = client.RequestCodeAsync(mobile);
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(GatewayConfig.StoreTimeoutForAFakeClock);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await pending).StatusCode);
        await Redis.ResumeAsync();

        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(host.Logs.GetSnapshot().Any(l => l.Id.Name == "LateIssueRevoked"))));
        AssertNoLeak(host, "StoreUnavailable", "LateIssueRevoked");
    }

    /// <summary>The store's failure is logged by kind (the exception's type), never in Redis's own words.</summary>
    private static void AssertStoreFailureNamedByKindOnly(GatewayHost host)
    {
        foreach (var record in host.Logs.GetSnapshot().Where(r => r.Id.Name == "StoreUnavailable"))
        {
            var failure = record.GetStructuredStateValue("StoreFailure") ?? "";
            Assert.Matches(@"\((Redis\w*Exception|TimeoutException)\)$|refusing at once", failure);
            Assert.Null(record.Exception);
        }
    }
}
