using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Blocks;

/// <summary>
/// The failures of the two calls of a send on Redis Cluster, the block's and the mobile's: whichever fails, no SMS goes
/// out, and the other call's work is taken back; the one leftover is a block's send counted once too many when the
/// block's call lands after the gate gave up on it.
/// </summary>
public sealed partial class ClusterBlocksTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(2500);

    [Fact]
    public async Task Send_BlocksKeyHoldsAnotherType_503NoSmsAndTheMobilesIssueTakenBack()
    {
        var client = Start(blocks => blocks["MinConversion"] = 0.5).CreateClient();
        var mobile = Block("150000", 1)[0];
        await Db.StringSetAsync(CounterKey("8615000"), "not a hash");

        var answer = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Empty(_provider.Requests);
        await AssertNothingLeftOfAsync(mobile);
    }

    [Fact]
    public async Task Send_MobilesScriptFails_503NoSmsAndTheBlocksSendTakenBack()
    {
        var client = Start(blocks =>
        {
            blocks["MinConversion"] = 0.5;
            blocks["MaxPerHour"] = 10;
        }).CreateClient();
        var mobile = Block("151000", 1)[0];
        await Db.HashSetAsync($"sms_hour_{{{mobile}}}", "not", "a counter");

        var answer = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Empty(_provider.Requests);
        Assert.False(await Db.KeyExistsAsync(FlagKey(mobile)));
        Assert.True(await GatewayClient.EventuallyAsync(async () =>
            !await Db.HashExistsAsync(CounterKey("8615100"), "sends") && !await Db.KeyExistsAsync("sms_block_hour_{8615100}")));
    }

    [Fact]
    public async Task Send_BlocksNodeStalls_503NoSmsNoIssueLeftAndTheLateCountIsTheOnlyLeftover()
    {
        var client = Start(blocks => blocks["MinConversion"] = 0.5).CreateClient();
        var (mobile, blockNode, _) = await MobileAwayFromItsBlockAsync("152000", "8615200");
        await cluster.Cluster.Server(blockNode).ExecuteAsync("CLIENT", "PAUSE", (long)Stall.TotalMilliseconds, "ALL");

        var answer = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Empty(_provider.Requests);
        await AssertNothingLeftOfAsync(mobile);

        // Once the node answers again, the block's call has run: one send counted too many, never taken back.
        Assert.True(await GatewayClient.EventuallyAsync(async () => (long?)await Db.HashGetAsync(CounterKey("8615200"), "sends") == 1, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Send_MobilesNodeStalls_503NoSmsTheBlocksSendTakenBackAndTheLateIssueRevoked()
    {
        var host = Start(blocks => blocks["MinConversion"] = 0.5);
        var client = host.CreateClient();
        var (mobile, _, mobileNode) = await MobileAwayFromItsBlockAsync("153000", "8615300");
        await cluster.Cluster.Server(mobileNode).ExecuteAsync("CLIENT", "PAUSE", (long)Stall.TotalMilliseconds, "ALL");

        var answer = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Empty(_provider.Requests);
        Assert.True(await GatewayClient.EventuallyAsync(async () => !await Db.HashExistsAsync(CounterKey("8615300"), "sends")));
        Assert.True(await GatewayClient.EventuallyAsync(
            () => Task.FromResult(host.Logs.GetSnapshot().Any(l => l.Id.Name == "LateIssueRevoked")), TimeSpan.FromSeconds(20)));
        await AssertNothingLeftOfAsync(mobile);
        Assert.False(await Db.HashExistsAsync(CounterKey("8615300"), "sends"));
    }

    [Fact]
    public async Task Send_BurstOverTheBlockCapFromTwoInstances_ExactlyTheCapGoesOutAndTheRestLeaveNothing()
    {
        // A store timeout no loaded machine reaches: the burst is about the cap, not about Redis answering in time.
        var first = Start(blocks => blocks["MaxPerHour"] = 5, config => config.Gate["StoreTimeout"] = "00:00:10").CreateClient();
        var second = Start(blocks => blocks["MaxPerHour"] = 5, config => config.Gate["StoreTimeout"] = "00:00:10").CreateClient();
        var mobiles = Block("156000", 20);

        var answers = await Task.WhenAll(mobiles.Select((mobile, i) => (i % 2 == 0 ? first : second).RequestCodeAsync(mobile)));

        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(15, answers.Count(a => a.StatusCode == HttpStatusCode.Forbidden));
        Assert.Equal(5, _provider.Requests.Count);
        Assert.Equal(5, (long)await Db.StringGetAsync("sms_block_hour_{8615600}"));
        foreach (var (mobile, answer) in mobiles.Zip(answers).Where(pair => pair.Second.StatusCode == HttpStatusCode.Forbidden))
        {
            await AssertNothingLeftOfAsync(mobile);
        }
    }

    /// <summary>A mobile of <paramref name="block"/> (from <paramref name="first6"/>) whose keys live on another master than the block's, and both masters.</summary>
    private async Task<(string Mobile, System.Net.EndPoint BlockNode, System.Net.EndPoint MobileNode)> MobileAwayFromItsBlockAsync(string first6, string block)
    {
        var blockNode = await cluster.Cluster.MasterForAsync(CounterKey(block));
        foreach (var mobile in Block(first6, 100))
        {
            var mobileNode = await cluster.Cluster.MasterForAsync(FlagKey(mobile));
            if (!mobileNode.Equals(blockNode))
            {
                return (mobile, blockNode, mobileNode);
            }
        }

        throw new InvalidOperationException($"No mobile of {first6} in 100 lives on another master than block {block}.");
    }
}
