using System.Net;
using Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.Tests.Store.Redis.Sentinel;

/// <summary>
/// The gate on a real Sentinel deployment (a master, a replica, three sentinels), configured with the sentinels and
/// the service name only: it finds the master, and after a failover under a steady stream of requests it recovers
/// without a restart, with a short run of 503s and nothing else. How the connection follows the master is tested on its
/// own in <see cref="SentinelMasterConnectionTests"/>.
/// </summary>
public sealed class RedisSentinelTests(ITestOutputHelper output) : OwnDeploymentTests<RedisSentinelGroup>
{
    private static readonly TimeSpan OutageBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(20);

    protected override Task<RedisSentinelGroup> StartRedisAsync() => RedisSentinelGroup.StartNewAsync();

    [Fact]
    public async Task Issue_SentinelsAndServiceName_StoresLegacyKeysOnTheMasterAndRefusesTheRepeat()
    {
        var client = StartGateway().CreateClient();
        var mobile = TestMobiles.Next();

        await client.AssertSentThenRepeatRefusedAsync(mobile);

        await using var master = await RedisSentinelGroup.ConnectToAsync(await Redis.MasterPortAsync());
        var db = master.GetDatabase(2);
        Assert.Equal(Provider.RequestsFor(mobile).Single().Code, (string?)await db.StringGetAsync($"sms_{mobile}"));
        Assert.Equal("1", (string?)await db.StringGetAsync($"send_flag_{mobile}"));
    }

    [Fact]
    public async Task Failover_UnderSteadyStream_Only503sMeanwhileLosesNothingAndRecovers()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        var probe = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(probe)).StatusCode);

        var load = new FailoverLoad(client, _ => TestMobiles.Next());
        await load.RunAsync(() => Redis.FailoverAsync(), () => Redis.DescribeDataNodesAsync(database: 2));

        output.WriteLine(load.Describe());
        output.WriteLine(FailoverLoad.DescribeLogs(host.Logs));
        output.WriteLine("where the writes went (port, role, EVALSHA calls, keys in db 2):");
        output.WriteLine(string.Join(Environment.NewLine, load.Samples));
        var master = await Redis.MasterPortAsync();
        await using var connection = await RedisSentinelGroup.ConnectToAsync(master);
        var db = connection.GetDatabase(2);
        var audit = await load.AuditAsync(Provider, [probe], async mobile => await db.StringGetAsync($"sms_{mobile}"));
        output.WriteLine($"read back from the new master {master}: " + audit);
        Assert.True(audit.LostNothing, audit.ToString());

        // Recovered inside the stream: the README reports about 1.15 s of 503s; allow 4x that, or more on a loaded machine.
        Assert.True(load.Last503AfterFailoverStarted < load.Allowance(RecoveryBound), $"503s went on for {load.Last503AfterFailoverStarted} after the failover started, over {load.Allowance(RecoveryBound)}");
        Assert.True(load.OutageLength() < load.Allowance(OutageBound), $"the 503s lasted {load.OutageLength()}, over {load.Allowance(OutageBound)}");
        Assert.True(load.IssuedAfterTheLast503() >= FailoverLoad.IssuedToShowRecovery, $"only {load.IssuedAfterTheLast503()} codes issued after the last 503");
        Assert.True(await GatewayClient.EventuallyAsync(
            async () => (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode == HttpStatusCode.OK, load.Allowance(RecoveryBound)),
            "no 200 after the failover:" + Environment.NewLine + FailoverLoad.DescribeLogs(host.Logs));
    }

    private GatewayHost StartGateway()
    {
        var host = new GatewayHost(new GatewayConfig(Provider.Address, Redis.ConnectionString)).Start();
        Resources.Add(host);
        return host;
    }
}
