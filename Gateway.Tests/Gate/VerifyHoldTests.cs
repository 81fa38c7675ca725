using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Gateway.Tests.Gate;

/// <summary>
/// The hold a verify attempt keeps on its code while it is at the legacy app: a deadline on Redis's clock, so that a
/// crashed gateway's hold lapses by itself, and the gateway's own bound, <c>VerifyTimeout</c>. Through the real host
/// against a real redis-server.
/// </summary>
public sealed class VerifyHoldTests(RedisFixture redis) : SharedRedisTests(redis)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private IDatabase Db => Redis.Database(2);

    [Fact]
    public async Task VerifyRoute_HoldLeftByACrashedGateway_RefusesUntilItsDeadlineThenLapses()
    {
        var client = Start().CreateClient();
        var mobile = TestMobiles.Next();
        var code = await SendCodeAsync(client, mobile);
        var now = await RedisNowAsync();

        await Db.HashSetAsync($"sms_state_{mobile}", [new("busy", now + 60_000), new("busy_by", "a-gateway-that-crashed")]);
        var held = await LegacyVerifyAsync(client, mobile, code);
        await Db.HashSetAsync($"sms_state_{mobile}", [new("busy", now - 1)]);
        var lapsed = await LegacyVerifyAsync(client, mobile, code);

        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
        Assert.Equal(HttpStatusCode.OK, lapsed.StatusCode);
        Assert.Single(Provider.OtherRequests);
    }

    [Fact]
    public async Task VerifyRoute_AttemptAtTheApp_HoldsTheCodeUntilVerifyTimeoutAndAMarginOnRedisClock()
    {
        var client = Start(config => config.Policy["VerifyTimeout"] = "00:00:20").CreateClient();
        var mobile = TestMobiles.Next();
        var code = await SendCodeAsync(client, mobile);
        var app = Provider.OtherAnswerWhen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempt = LegacyVerifyAsync(client, mobile, code);
        await Provider.OtherReceived.Task.WaitAsync(HangGuard);

        var deadline = (long)await Db.HashGetAsync($"sms_state_{mobile}", "busy");
        var left = deadline - await RedisNowAsync();
        var ttl = await Db.KeyTimeToLiveAsync($"sms_state_{mobile}");
        app.SetResult();
        await attempt;

        Assert.InRange(left, 20_000, 25_000);
        Assert.NotNull(ttl);
        Assert.False(await Db.KeyExistsAsync($"sms_state_{mobile}"));
    }

    [Fact]
    public async Task VerifyRoute_AppSlowerThanVerifyTimeout_504AndTheCodeIsLetGoForTheNextAttempt()
    {
        var time = new WatchedTimeProvider();
        var host = Start(config =>
        {
            config.WithStoreTimeout(GatewayConfig.StoreTimeoutForAFakeClock);
            config.Policy["VerifyTimeout"] = "00:00:10";
        }, services => services.AddSingleton<TimeProvider>(time));
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        var code = await SendCodeAsync(client, mobile);
        Provider.OtherAnswerWhen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempt = LegacyVerifyAsync(client, mobile, code);
        await Provider.OtherReceived.Task.WaitAsync(HangGuard);

        time.Advance(TimeSpan.FromSeconds(10));
        var timedOut = await attempt;
        Provider.OtherAnswerWhen = null;
        var next = await LegacyVerifyAsync(client, mobile, code);

        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Contains("in time", await GatewayClient.MessageOfAsync(timedOut), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, Provider.OtherRequests.Count);
    }

    private GatewayHost Start(Action<GatewayConfig>? edit = null, Action<IServiceCollection>? services = null)
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString).WithVerifyRoutes();
        edit?.Invoke(config);
        return Resources.Add(new GatewayHost(config, configureServices: services).Start());
    }

    private async Task<long> RedisNowAsync()
    {
        var time = (RedisResult[])(await Db.ExecuteAsync("TIME"))!;
        return ((long)time[0] * 1000) + ((long)time[1] / 1000);
    }

    private async Task<string> SendCodeAsync(HttpClient client, string mobile)
    {
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        return Provider.RequestsFor(mobile)[^1].Code!;
    }

    private static Task<HttpResponseMessage> LegacyVerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new FormUrlEncodedContent([new("mobile", mobile), new("sms_code", code)])).WaitAsync(HangGuard);
}
