using System.Net;
using System.Net.Http.Json;
using Gateway.Middleware.Diagnostics;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Store;

/// <summary>
/// A key that holds what the scripts cannot use (a string where the code state's hash belongs, a counter that is
/// not a number) fails that mobile's request with 503, and nobody else's: the breaker is for the connection. The
/// clock is fake and never moved, so a breaker the first request opened would refuse every later one.
/// </summary>
public sealed class StoreDataErrorTests : OwnRedisTests
{
    // A clock that stands still: a breaker opened by the first request would still refuse the second.
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Send_CounterOfOneMobileIsNotANumber_ThatMobile503OtherMobilesStillServed()
    {
        var host = StartGateway(config => config.Policy["MaxPerHour"] = 5);
        var client = host.CreateClient();
        var (victim, other) = (TestMobiles.Next(), TestMobiles.Next());
        await Redis.Database(2).StringSetAsync($"sms_hour_{victim}", "not a number");

        var refused = await client.RequestCodeAsync(victim);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("temporarily unavailable", await GatewayClient.MessageOfAsync(refused), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(other)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        Assert.Empty(Provider.RequestsFor(victim));
        AssertLoggedMasked(host, victim);
    }

    [Fact]
    public async Task Verify_StateOfOneMobileIsAString_ThatMobile503OtherMobilesStillServed()
    {
        var host = StartGateway(config => config.WithVerifyRoutes());
        var client = host.CreateClient();
        var (victim, other) = (TestMobiles.Next(), TestMobiles.Next());
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(victim)).StatusCode);
        var db = Redis.Database(2);
        await db.KeyDeleteAsync($"sms_state_{victim}");
        await db.StringSetAsync($"sms_state_{victim}", "a string where a hash belongs");
        await db.KeyDeleteAsync($"sms_{victim}");
        await db.HashSetAsync($"sms_{victim}", "a", "hash where a string belongs");

        var refused = await VerifyAsync(client, victim, "123456");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(other)).StatusCode);
        var code = Assert.Single(Provider.RequestsFor(other)).Code!;
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(client, other, code)).StatusCode);
        AssertLoggedMasked(host, victim);
    }

    private static void AssertLoggedMasked(GatewayHost host, string mobile)
    {
        var lines = host.Logs.GetSnapshot().Where(record => record.Id.Id == EventIds.StoreDataError).Select(record => record.FullText()).ToList();
        Assert.NotEmpty(lines);
        Assert.Contains(lines, line => line.Contains(MobileMask.Mask(mobile), StringComparison.Ordinal));
        Assert.All(host.Logs.GetSnapshot(), record => Assert.DoesNotContain(mobile, record.FullText(), StringComparison.Ordinal));
    }

    private static Task<HttpResponseMessage> VerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsJsonAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative), new { code }).WaitAsync(TimeSpan.FromSeconds(30));

    private GatewayHost StartGateway(Action<GatewayConfig> edit)
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString);
        edit(config);
        return Resources.Add(new GatewayHost(config, configureServices: services => services.AddSingleton<TimeProvider>(_time)).Start());
    }
}
