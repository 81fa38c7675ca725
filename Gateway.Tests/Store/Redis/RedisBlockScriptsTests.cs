using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Store.Redis;

/// <summary>
/// The scripts of number blocks on Redis Cluster, each run on its own with EVAL against a real redis-server: the
/// block's half of the issue (reserve_block.lua), its take-back (release_block.lua), a verification counted for the
/// block (block_verified.lua), and the issue script reading the remembered key (Feature.Remembered).
/// </summary>
public sealed class RedisBlockScriptsTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly RedisScripts Scripts = RedisScripts.Embedded;
    private readonly IDatabase _db = redis.Server.Database(2);

    [Fact]
    public async Task ReserveBlock_PastMinSendsUnverified_BlocksItAndStillCountsTheSend()
    {
        var keys = BlockKeys("rb1");
        await _db.HashSetAsync("rb1:counter", [new("sends", 3), new("verified", 0)]);

        var result = await ReserveAsync(keys, cap: 0, minConversion: 0.5);

        // {blocked, ms left, capped, ms left, counted, blocked now, sends, verified}
        Assert.Equal([1L, 60_000L, 0L, 0L, 1L, 1L, 4L, 0L], result.Select(r => (long)r));
        Assert.Equal(3, (long)await _db.HashGetAsync("rb1:blocked", "sends"));
        Assert.Equal(4, (long)await _db.HashGetAsync("rb1:counter", "sends"));
        Assert.InRange((await _db.KeyTimeToLiveAsync("rb1:counter"))!.Value.TotalMilliseconds, 1, 3_600_000);
    }

    [Fact]
    public async Task ReserveBlock_WarmUp_NeverBlocksUnderMinSends()
    {
        var keys = BlockKeys("rb2");
        await _db.HashSetAsync("rb2:counter", [new("sends", 2), new("verified", 0)]);

        var result = await ReserveAsync(keys, cap: 0, minConversion: 1);

        Assert.Equal((0L, 1L, 3L), ((long)result[0], (long)result[4], (long)result[6]));
        Assert.False(await _db.KeyExistsAsync("rb2:blocked"));
    }

    [Theory]
    [InlineData(false, 0L, 2L)]
    [InlineData(true, 1L, 3L)]
    public async Task ReserveBlock_AtTheCap_CountsOnlyInShadowMode(bool shadow, long counted, long hour)
    {
        var keys = BlockKeys(shadow ? "rb3s" : "rb3e");
        await _db.StringSetAsync(keys[1], 2, TimeSpan.FromMinutes(10));

        var result = await ReserveAsync([keys[1], keys[1], keys[1]], cap: 2, minConversion: 0, shadow: shadow);

        Assert.Equal((1L, counted), ((long)result[2], (long)result[4]));
        Assert.InRange((long)result[3], 1, 600_000);
        Assert.Equal(hour, (long)await _db.StringGetAsync(keys[1]));
    }

    [Fact]
    public async Task ReleaseBlock_AfterAReserve_TakesTheSendBackFromBothCounters()
    {
        var keys = BlockKeys("rb4");
        await ReserveAsync(keys, cap: 5, minConversion: 0.5);
        await ReserveAsync(keys, cap: 5, minConversion: 0.5);

        await EvalAsync(Scripts.ReleaseBlock, keys[..2], [5, 0.5]);
        Assert.Equal((1L, 1L), ((long)await _db.HashGetAsync("rb4:counter", "sends"), (long)await _db.StringGetAsync(keys[1])));
        await EvalAsync(Scripts.ReleaseBlock, keys[..2], [5, 0.5]);

        Assert.False(await _db.KeyExistsAsync("rb4:counter"));
        Assert.False(await _db.KeyExistsAsync(keys[1]));
    }

    [Fact]
    public async Task BlockVerified_CountsTheVerificationInTheWindow()
    {
        await EvalAsync(Scripts.BlockVerified, ["rb5:counter"], [3_600_000]);

        Assert.Equal(1, (long)await _db.HashGetAsync("rb5:counter", "verified"));
        Assert.InRange((await _db.KeyTimeToLiveAsync("rb5:counter"))!.Value.TotalMilliseconds, 1, 3_600_000);
    }

    [Fact]
    public async Task Issue_RememberedFeature_AnswersWhetherTheMobileIsRemembered()
    {
        await _db.StringSetAsync("rb6b:remembered", "1");

        var unknown = await EvalAsync(Scripts.Issue, ["rb6a:flag", "rb6a:code", "rb6a:state", "rb6a:remembered"], ["123456", 60_000, 300_000, "n1", (int)IssueFeatures.Remembered]);
        var remembered = await EvalAsync(Scripts.Issue, ["rb6b:flag", "rb6b:code", "rb6b:state", "rb6b:remembered"], ["123456", 60_000, 300_000, "n2", (int)IssueFeatures.Remembered]);

        Assert.Equal([(long)SmsCodeRefusal.None, 0L, 0L], new[] { (long)unknown[0], (long)unknown[1], (long)unknown[3] });
        Assert.Equal(4, remembered.Length);
        Assert.Equal(1L, (long)remembered[3]);
        Assert.Equal("123456", (string?)await _db.StringGetAsync("rb6b:code"));
    }

    /// <summary>A block's keys in reserve_block.lua's order: counters, hour counter, blocked key.</summary>
    private static RedisKey[] BlockKeys(string prefix) => [$"{prefix}:counter", $"{prefix}:hour", $"{prefix}:blocked"];

    private Task<RedisResult[]> ReserveAsync(RedisKey[] keys, int cap, double minConversion, bool shadow = false) =>
        EvalAsync(Scripts.ReserveBlock, keys, [cap, 3_600_000, 3, minConversion, 60_000, shadow ? 1 : 0]);

    private async Task<RedisResult[]> EvalAsync(RedisScript script, RedisKey[] keys, RedisValue[] args)
    {
        var result = await _db.ScriptEvaluateAsync(script.Source, keys, args).WaitAsync(TimeSpan.FromSeconds(10));
        return result.Resp2Type == ResultType.Array ? (RedisResult[])result! : [result];
    }
}
