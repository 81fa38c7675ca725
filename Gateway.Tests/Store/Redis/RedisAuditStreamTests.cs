using System.Net;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Store.Redis;

/// <summary>The opt-in audit stream and the issue script's counting, against a real redis-server.</summary>
public sealed class RedisAuditStreamTests : OwnRedisTests
{
    [Fact]
    public async Task Issue_AuditStreamOn_AppendsOutcomeWithMaskedMobileAndNeverTheCode()
    {
        var client = StartGateway(config =>
        {
            config.Policy["AuditStreamKey"] = "sms_audit";
            config.Policy["MaxPerHour"] = 5;
        }).CreateClient();
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);

        var entries = await Redis.Database(2).StreamRangeAsync("sms_audit");
        Assert.Equal(2, entries.Length);
        Assert.Equal(["issued", "refused:interval"], entries.Select(e => (string?)e["outcome"]));
        var code = Provider.RequestsFor(mobile).Single().Code;
        foreach (var entry in entries)
        {
            Assert.Equal(GatewayConfig.PolicyName, (string?)entry["policy"]);
            Assert.Equal($"{mobile[..3]}****{mobile[^4..]}", (string?)entry["mobile"]);
            Assert.DoesNotContain(entry.Values, v => ((string?)v.Value)!.Contains(mobile, StringComparison.Ordinal) || (string?)v.Value == code);
        }
    }

    [Fact]
    public async Task Issue_AuditStreamOff_WritesNoStream()
    {
        var client = StartGateway().CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        Assert.Equal(3, await DatabaseSizeAsync(2));
    }

    [Fact]
    public async Task Issue_CapReached_RefusesAndTakesBackEveryCountItMade()
    {
        var client = StartGateway(config =>
        {
            config.Policy["MaxPerHour"] = 5;
            config.Policy["MaxPerDay"] = 10;
        }).CreateClient();
        var mobile = TestMobiles.Next();
        var db = Redis.Database(2);
        await db.StringSetAsync($"sms_hour_{mobile}", 5, TimeSpan.FromMinutes(30));

        var response = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.InRange(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1700, 1800);
        Assert.Equal(5, (int)await db.StringGetAsync($"sms_hour_{mobile}"));
        Assert.False(await db.KeyExistsAsync($"sms_day_{mobile}"));
        Assert.False(await db.KeyExistsAsync($"send_flag_{mobile}"));
        Assert.Empty(Provider.RequestsFor(mobile));
    }

    [Fact]
    public async Task Issue_CounterOfWrongType_Answers503AndTakesBackTheCountsBeforeIt()
    {
        var client = StartGateway(config =>
        {
            config.Policy["MaxPerHour"] = 5;
            config.Policy["MaxPerDay"] = 10;
        }).CreateClient();
        var mobile = TestMobiles.Next();
        var db = Redis.Database(2);
        await db.HashSetAsync($"sms_day_{mobile}", "not", "a counter");

        var response = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.False(await db.KeyExistsAsync($"sms_hour_{mobile}"));
        Assert.False(await db.KeyExistsAsync($"send_flag_{mobile}"));
        Assert.Empty(Provider.RequestsFor(mobile));
    }

    private async Task<long> DatabaseSizeAsync(int database) =>
        (long)await Redis.Database(database).ExecuteAsync("DBSIZE");

    private GatewayHost StartGateway(Action<GatewayConfig>? edit = null)
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString);
        edit?.Invoke(config);
        var host = new GatewayHost(config).Start();
        Resources.Add(host);
        return host;
    }
}
