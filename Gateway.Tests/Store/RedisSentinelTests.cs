using System.Net;
using Gateway.Middleware.Configuration;
using Gateway.Middleware.Store;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Gateway.Tests.Store;

/// <summary>
/// The gate on a real Sentinel deployment (a master, a replica, three sentinels), configured with the sentinels and
/// the service name only: it finds the master, and after a failover under a steady stream of requests it recovers
/// without a restart, with a short run of 503s and nothing else. The <see cref="SentinelMasterConnection"/> tests drive
/// its poll by hand (a fake clock, <see cref="SentinelMasterConnection.RefreshAsync"/>), so that only the path under
/// test can move it.
/// </summary>
public sealed class RedisSentinelTests : IAsyncLifetime
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PollWait = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output;
    private readonly TestResources _resources = new();
    private RedisSentinelGroup _group = null!;
    private RecordingSmsProvider _provider = null!;

    public RedisSentinelTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public async Task InitializeAsync()
    {
        _group = _resources.Add(await RedisSentinelGroup.StartNewAsync());
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task Issue_SentinelsAndServiceName_StoresLegacyKeysOnTheMasterAndRefusesTheRepeat()
    {
        var client = StartGateway().CreateClient();
        var mobile = TestMobiles.Next();

        var first = await client.RequestCodeAsync(mobile);
        var second = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(GatewayClient.LegacyOkBody, await first.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(GatewayClient.LegacyThrottledBody, await second.Content.ReadAsByteArrayAsync());
        await using var master = await RedisSentinelGroup.ConnectToAsync(await _group.MasterPortAsync());
        var db = master.GetDatabase(2);
        Assert.Equal(_provider.RequestsFor(mobile).Single().Code, (string?)await db.StringGetAsync($"sms_{mobile}"));
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
        await load.RunAsync(() => _group.FailoverAsync(), () => _group.DescribeDataNodesAsync(database: 2));

        _output.WriteLine(load.Describe());
        _output.WriteLine(FailoverLoad.DescribeLogs(host.Logs));
        _output.WriteLine("where the writes went (port, role, EVALSHA calls, keys in db 2):");
        _output.WriteLine(string.Join(Environment.NewLine, load.Samples));
        var master = await _group.MasterPortAsync();
        await using var connection = await RedisSentinelGroup.ConnectToAsync(master);
        var db = connection.GetDatabase(2);
        var audit = await load.AuditAsync(_provider, [probe], async mobile => await db.StringGetAsync($"sms_{mobile}"));
        _output.WriteLine($"read back from the new master {master}: " + audit);
        Assert.True(audit.LostNothing, audit.ToString());

        // Recovered without a restart.
        Assert.True(load.Last503AfterFailoverStarted < RecoveryBound, $"503s went on for {load.Last503AfterFailoverStarted} after the failover started");
        Assert.True(await GatewayClient.EventuallyAsync(
            async () => (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode == HttpStatusCode.OK, RecoveryBound),
            "no 200 after the failover:" + Environment.NewLine + FailoverLoad.DescribeLogs(host.Logs));
    }

    [Fact]
    public async Task RefreshAsync_SentinelNamesAReplica_KeepsTheMasterUntilTheReplicaIsPromoted()
    {
        var (master, replica) = (_group.DataPorts[0], _group.DataPorts[1]);
        var sentinel = _group.SentinelPorts[0];
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = Connect([sentinel], new FakeTimeProvider(), logger);
        Assert.Equal(master, PortOf(connection.Current));

        await _group.PointSentinelAtAsync(sentinel, replica);
        await connection.RefreshAsync().WaitAsync(PollWait);
        await connection.RefreshAsync().WaitAsync(PollWait);

        Assert.Equal(master, PortOf(connection.Current));
        Assert.Single(logger.Collector.GetSnapshot(), record => record.Id.Name == "SentinelCandidateNotMaster");

        await _group.PromoteAsync(replica);
        await connection.RefreshAsync().WaitAsync(PollWait);

        Assert.Equal(replica, PortOf(connection.Current));
    }

    private static SentinelMasterConnection Connect(IEnumerable<int> sentinelPorts, TimeProvider time, FakeLogger<SentinelMasterConnection> logger)
    {
        var redis = string.Join(",", sentinelPorts.Select(port => $"127.0.0.1:{port}")) + ",serviceName=" + RedisSentinelGroup.ServiceName;
        return new SentinelMasterConnection(RedisConnectionFactory.CreateOptions(new SmsCodeGateOptions { Redis = redis }), time, logger);
    }

    private static int PortOf(IConnectionMultiplexer connection) => connection.GetEndPoints().Single() switch
    {
        IPEndPoint ip => ip.Port,
        DnsEndPoint dns => dns.Port,
        var other => throw new InvalidOperationException($"Unexpected endpoint {other}."),
    };

    private GatewayHost StartGateway()
    {
        var host = new GatewayHost(new GatewayConfig(_provider.Address, _group.ConnectionString)).Start();
        _resources.Add(host);
        return host;
    }
}
