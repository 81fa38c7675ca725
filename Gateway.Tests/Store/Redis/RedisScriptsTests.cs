using System.Text.RegularExpressions;
using Gateway.Middleware.Store;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Store.Redis;

/// <summary>
/// Each Lua script run on its own with EVAL against a real redis-server, and codes.lua held to the C# types it mirrors.
/// </summary>
public sealed partial class RedisScriptsTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const long Day = 86_400_000;
    private static readonly RedisScripts Scripts = RedisScripts.Embedded;
    private readonly IDatabase _db = redis.Server.Database(2);

    [Theory]
    [InlineData("Refusal", typeof(SmsCodeRefusal))]
    [InlineData("Outcome", typeof(SmsCodeVerifyOutcome))]
    [InlineData("Feature", typeof(IssueFeatures))]
    public void CodesLua_EachTable_MirrorsItsCSharpType(string table, Type type)
    {
        var line = Regex.Match(RedisScripts.EmbeddedText(RedisScripts.Files.Codes), $@"^local {table} = \{{(?<pairs>[^}}]*)\}}", RegexOptions.Multiline);
        Assert.True(line.Success, $"codes.lua has no table {table}.");

        var lua = PairPattern().Matches(line.Groups["pairs"].Value).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        var csharp = Enum.GetValues(type).Cast<object>().Where(v => (int)v != 0 || table != "Feature").ToDictionary(v => v.ToString()!, v => (int)v);

        Assert.Equal(csharp.OrderBy(p => p.Key), lua.OrderBy(p => p.Key));
    }

    [Fact]
    public void Embedded_EveryFile_IsInTheAssembly()
    {
        Assert.All(RedisScripts.Files.All, file => Assert.False(string.IsNullOrWhiteSpace(RedisScripts.EmbeddedText(file))));
    }

    [Fact]
    public async Task Issue_FreeMobile_SetsFlagCodeAndStateThenRefusesWithinTheInterval()
    {
        var keys = Keys("issue");
        RedisValue[] args = ["123456", 60_000, 300_000, "n1", (int)IssueFeatures.None];

        var first = await EvalAsync(Scripts.Issue, keys, args);
        var second = await EvalAsync(Scripts.Issue, keys, [.. args[..3], "n2", (int)IssueFeatures.None]);

        Assert.Equal(((long)SmsCodeRefusal.None, 0L), ((long)first[0], (long)first[1]));
        Assert.Equal("123456", (string?)await _db.StringGetAsync(keys[1]));
        Assert.Equal("n1", (string?)await _db.HashGetAsync(keys[2], "nonce"));
        Assert.Equal((long)SmsCodeRefusal.Interval, (long)second[0]);
        Assert.InRange((long)second[1], 59_000, 60_000);
    }

    [Fact]
    public async Task Issue_CountersAndAudit_CountsEveryCapAndRecordsTheOutcome()
    {
        var keys = Keys("counted");
        RedisKey[] withCounters = [.. keys[..3], "counted:hour", "counted:day", "counted:ip", "counted:spend", "counted:audit"];
        RedisValue[] args = ["123456", 60_000, 300_000, "n1", (int)(IssueFeatures.Counters | IssueFeatures.Audit), 5, 10, 0, 1, 1000, "p", "138****0000"];

        var issued = await EvalAsync(Scripts.Issue, withCounters, args);
        await _db.KeyDeleteAsync(keys[0]);
        var refused = await EvalAsync(Scripts.Issue, withCounters, args);

        Assert.Equal((long)SmsCodeRefusal.None, (long)issued[0]);
        Assert.Equal((long)SmsCodeRefusal.Spend, (long)refused[0]);
        Assert.Equal(1, (long)await _db.StringGetAsync("counted:hour"));
        Assert.Equal(1, (long)await _db.StringGetAsync("counted:spend"));
        Assert.False(await _db.KeyExistsAsync("counted:ip"));
        var entries = await _db.StreamRangeAsync("counted:audit");
        Assert.Equal(["issued", "refused:spend"], entries.Select(e => (string?)e["outcome"]));
    }

    [Fact]
    public async Task Revoke_OwnNonce_DeletesTheKeysAndTakesBackTheCounts()
    {
        var keys = Keys("revoke");
        RedisKey[] withCounters = [.. keys[..3], "revoke:hour", "revoke:hour", "revoke:hour", "revoke:hour"];
        await EvalAsync(Scripts.Issue, withCounters, ["123456", 60_000, 300_000, "n1", (int)IssueFeatures.Counters, 5, 0, 0, 0]);

        var other = (long)await _db.ScriptEvaluateAsync(Scripts.Revoke.Source, withCounters, ["n2", (int)IssueFeatures.Counters, 5, 0, 0, 0]);
        var own = (long)await _db.ScriptEvaluateAsync(Scripts.Revoke.Source, withCounters, ["n1", (int)IssueFeatures.Counters, 5, 0, 0, 0]);

        Assert.Equal((0L, 1L), (other, own));
        Assert.False(await _db.KeyExistsAsync(keys[0]));
        Assert.False(await _db.KeyExistsAsync(keys[1]));
        Assert.False(await _db.KeyExistsAsync("revoke:hour"));
    }

    [Fact]
    public async Task ReserveAndRelease_AtTheCap_RefuseThenFreeOneCount()
    {
        RedisKey[] counter = ["reserve:ip"];

        var first = await EvalAsync(Scripts.Reserve, counter, [1, 3_600_000]);
        var second = await EvalAsync(Scripts.Reserve, counter, [1, 3_600_000]);
        await _db.ScriptEvaluateAsync(Scripts.Release.Source, counter, []);

        Assert.Equal(1, (long)first[0]);
        Assert.Equal(0, (long)second[0]);
        Assert.InRange((long)second[1], 3_500_000, 3_600_000);
        Assert.False(await _db.KeyExistsAsync("reserve:ip"));
    }

    [Fact]
    public async Task CountAttempt_LiveCode_CountsHoldsAndRefusesTheNextWhileHeld()
    {
        var keys = await IssuedAsync("count");

        var counted = await EvalAsync(Scripts.CountAttempt, keys, [5, 20, Day, 300_000, 15_000, "t1"]);
        var held = await EvalAsync(Scripts.CountAttempt, keys, [5, 20, Day, 300_000, 15_000, "t2"]);

        Assert.Equal(((long)SmsCodeVerifyOutcome.Counted, "n1"), ((long)counted[0], (string?)counted[2]));
        Assert.Equal((long)SmsCodeVerifyOutcome.InFlight, (long)held[0]);
        Assert.Equal("t1", (string?)await _db.HashGetAsync(keys[1], "busy_by"));
        Assert.Equal(1, (long)await _db.StringGetAsync(keys[3]));
    }

    [Fact]
    public async Task CountAttempt_NoCode_WritesNothing()
    {
        var keys = Keys("nocode");

        var result = await EvalAsync(Scripts.CountAttempt, keys, [5, 20, Day, 300_000, 15_000, "t1"]);

        Assert.Equal((long)SmsCodeVerifyOutcome.NoCode, (long)result[0]);
        Assert.Empty(redis.Server.Server.Keys(2, "nocode:*"));
    }

    [Fact]
    public async Task UseUp_CountedNonce_DeletesTheCodeAndTakesBackTheFailure()
    {
        var keys = await IssuedAsync("useup");
        await EvalAsync(Scripts.CountAttempt, keys, [5, 20, Day, 300_000, 0, "t1"]);

        await _db.ScriptEvaluateAsync(Scripts.UseUp.Source, keys, ["n1", 20, 0, 0]);

        Assert.False(await _db.KeyExistsAsync(keys[0]));
        Assert.False(await _db.KeyExistsAsync(keys[3]));
    }

    [Fact]
    public async Task ReleaseAttempt_OwnTokenOnly_LetsGoOfTheCode()
    {
        var keys = await IssuedAsync("release");
        await EvalAsync(Scripts.CountAttempt, keys, [5, 0, Day, 300_000, 15_000, "t1"]);

        var other = (long)await _db.ScriptEvaluateAsync(Scripts.ReleaseAttempt.Source, keys, ["t2"]);
        var own = (long)await _db.ScriptEvaluateAsync(Scripts.ReleaseAttempt.Source, keys, ["t1"]);

        Assert.Equal((0L, 1L), (other, own));
        Assert.False(await _db.HashExistsAsync(keys[1], "busy"));
    }

    [Fact]
    public async Task Verify_WrongThenRight_CountsAFailureThenUsesTheCodeUp()
    {
        var keys = await IssuedAsync("verify");

        var wrong = await EvalAsync(Scripts.Verify, keys, [5, 20, Day, 300_000, "000000", 0, 0]);
        var right = await EvalAsync(Scripts.Verify, keys, [5, 20, Day, 300_000, "123456", 0, 0]);

        Assert.Equal((long)SmsCodeVerifyOutcome.Wrong, (long)wrong[0]);
        Assert.Equal((long)SmsCodeVerifyOutcome.Verified, (long)right[0]);
        Assert.Equal(1, (long)await _db.StringGetAsync(keys[3]));
        Assert.False(await _db.KeyExistsAsync(keys[0]));
    }

    [Fact]
    public async Task Verify_AttemptsSpent_DeletesTheCodeAndMarksItsStateSpent()
    {
        var keys = await IssuedAsync("spent");

        await EvalAsync(Scripts.Verify, keys, [1, 0, Day, 300_000, "000000", 0, 0]);
        var over = await EvalAsync(Scripts.Verify, keys, [1, 0, Day, 300_000, "123456", 0, 0]);

        Assert.Equal((long)SmsCodeVerifyOutcome.OverLimit, (long)over[0]);
        Assert.False(await _db.KeyExistsAsync(keys[0]));
        Assert.Equal("1", (string?)await _db.HashGetAsync(keys[1], "spent"));
    }

    [Fact]
    public async Task Issue_BlockPastMinSendsUnverified_BlocksItAndRefusesAllButARememberedMobile()
    {
        RedisKey[] block = ["block:sends", "block:hour", "block:blocked"];
        RedisValue[] limits = [0, 3_600_000, 1, 0.5, 60_000, 0];

        var first = await EvalAsync(Scripts.Issue, [.. Keys("b1")[..3], .. block, "b1:remembered"], ["123456", 60_000, 300_000, "n1", (int)IssueFeatures.Block, .. limits]);
        var second = await EvalAsync(Scripts.Issue, [.. Keys("b2")[..3], .. block, "b2:remembered"], ["123456", 60_000, 300_000, "n2", (int)IssueFeatures.Block, .. limits]);
        await _db.StringSetAsync("b3:remembered", "1");
        var remembered = await EvalAsync(Scripts.Issue, [.. Keys("b3")[..3], .. block, "b3:remembered"], ["123456", 60_000, 300_000, "n3", (int)IssueFeatures.Block, .. limits]);

        Assert.Equal((long)SmsCodeRefusal.None, (long)first[0]);
        Assert.Equal(((long)SmsCodeRefusal.Block, 1L, 1L, 0L), ((long)second[0], (long)second[4], (long)second[5], (long)second[6]));
        Assert.InRange((long)second[1], 59_000, 60_000);
        Assert.False(await _db.KeyExistsAsync("b2:flag"));
        Assert.Equal((long)SmsCodeRefusal.None, (long)remembered[0]);
        Assert.Equal(2, (long)await _db.HashGetAsync("block:sends", "sends"));
        Assert.Equal(1, (long)await _db.HashGetAsync("block:blocked", "sends"));
    }

    [Fact]
    public async Task Issue_BlockInShadowMode_IssuesAndAnswersTheRefusalItWouldHaveBeen()
    {
        RedisKey[] keys = [.. Keys("s1")[..3], "shadow:sends", "shadow:hour", "shadow:blocked", "s1:remembered"];
        await _db.StringSetAsync("shadow:hour", 3, TimeSpan.FromMinutes(10));

        var result = await EvalAsync(Scripts.Issue, keys, ["123456", 60_000, 300_000, "n1", (int)IssueFeatures.Block, 3, 3_600_000, 1, 0, 60_000, 1]);

        Assert.Equal(((long)SmsCodeRefusal.None, (long)SmsCodeRefusal.BlockHour), ((long)result[0], (long)result[3]));
        Assert.Equal(4, (long)await _db.StringGetAsync("shadow:hour"));
    }

    [Fact]
    public async Task Verify_RightWithBlock_CountsTheVerificationAndRemembersTheMobile()
    {
        var keys = await IssuedAsync("conv");

        var right = await EvalAsync(Scripts.Verify, [.. keys, "conv:block", "conv:remembered"], [5, 0, Day, 300_000, "123456", 3_600_000, 86_400_000]);

        Assert.Equal((long)SmsCodeVerifyOutcome.Verified, (long)right[0]);
        Assert.Equal(1, (long)await _db.HashGetAsync("conv:block", "verified"));
        Assert.InRange((await _db.KeyTimeToLiveAsync("conv:remembered"))!.Value.TotalMilliseconds, 86_000_000, 86_400_000);
    }

    /// <summary>A mobile's keys in the issue script's order: flag, code, state, then the daily failures counter.</summary>
    private static RedisKey[] Keys(string prefix) => [$"{prefix}:flag", $"{prefix}:code", $"{prefix}:state", $"{prefix}:fail"];

    /// <summary>Issues code 123456 with nonce n1; returns the verify scripts' KEYS: code, state, flag, failures.</summary>
    private async Task<RedisKey[]> IssuedAsync(string prefix)
    {
        var keys = Keys(prefix);
        await EvalAsync(Scripts.Issue, keys[..3], ["123456", 60_000, 300_000, "n1", (int)IssueFeatures.None]);
        return [keys[1], keys[2], keys[0], keys[3]];
    }

    private async Task<RedisResult[]> EvalAsync(RedisScript script, RedisKey[] keys, RedisValue[] args) =>
        (RedisResult[])(await _db.ScriptEvaluateAsync(script.Source, keys, args).WaitAsync(TimeSpan.FromSeconds(10)))!;

    [GeneratedRegex(@"(\w+)\s*=\s*(\d+)")]
    private static partial Regex PairPattern();
}
