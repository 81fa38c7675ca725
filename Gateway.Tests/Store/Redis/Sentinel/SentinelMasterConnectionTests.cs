using System.Net;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Gateway.Middleware.Store.Redis.Sentinel;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Gateway.Tests.Store.Redis.Sentinel;

/// <summary>
/// <see cref="SentinelMasterConnection"/> on a real Sentinel deployment (a master, a replica, three sentinels): it
/// follows the master through failovers, lost events, stale and partitioned sentinels. The tests drive its poll by hand
/// (a fake clock, <see cref="SentinelMasterConnection.RefreshAsync"/>), so that only the path under test can move it.
/// </summary>
public sealed class SentinelMasterConnectionTests(ITestOutputHelper output) : OwnDeploymentTests<RedisSentinelGroup>
{
    private static readonly TimeSpan PollWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FailoverWait = TimeSpan.FromSeconds(30);

    protected override Task<RedisSentinelGroup> StartRedisAsync() => RedisSentinelGroup.StartNewAsync();

    [Fact]
    public async Task RefreshAsync_SentinelNamesAReplica_KeepsTheMasterUntilTheReplicaIsPromoted()
    {
        var (master, replica) = (Redis.DataPorts[0], Redis.DataPorts[1]);
        var sentinel = Redis.SentinelPorts[0];
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = await ConnectAsync([sentinel], new FakeTimeProvider(), logger);
        Assert.Equal(master, PortOf(connection.Current));

        await Redis.Faults.PointSentinelAtAsync(sentinel, replica);
        await connection.RefreshAsync().WaitAsync(PollWait);
        await connection.RefreshAsync().WaitAsync(PollWait);

        Assert.Equal(master, PortOf(connection.Current));
        Assert.Equal(1, Count(logger, "SentinelCandidateNotMaster"));

        await Redis.Faults.PromoteAsync(replica);
        await connection.RefreshAsync().WaitAsync(PollWait);

        Assert.Equal(replica, PortOf(connection.Current));
    }

    [Fact]
    public async Task RefreshAsync_SwitchMasterEventLost_EndsTheRefusalAtTheNextPoll()
    {
        var (oldMaster, newMaster) = (Redis.DataPorts[0], Redis.DataPorts[1]);

        // Through the sentinel that runs SENTINEL FAILOVER, which is the one that publishes the failover events.
        await using var proxy = new SwitchMasterDroppingProxy(Redis.SentinelPorts[0]);
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = await ConnectAsync([proxy.Port], time, logger);
        Assert.Equal(oldMaster, PortOf(connection.Current));

        var failover = Redis.FailoverAsync();
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Refuses(connection)), FailoverWait), "the failover events did not start the refusal");
        await failover.WaitAsync(FailoverWait);
        await proxy.SwitchMasterDropped.WaitAsync(FailoverWait);
        Assert.True(Refuses(connection), "the refusal ended before any poll");

        // A few polls on the timer (the sentinel link that dropped may still be reconnecting), far inside the 30 s bound.
        for (var poll = 0; poll < 5 && Refuses(connection); poll++)
        {
            time.Advance(PollInterval);
            await connection.RefreshAsync().WaitAsync(PollWait);
        }

        Assert.False(Refuses(connection), "still refusing after 5 polls:" + Environment.NewLine + Describe(logger));
        Assert.Equal(newMaster, PortOf(connection.Current));
    }

    [Fact]
    public async Task RefreshAsync_FirstSentinelStillNamesTheOldMasterAfterAFailover_StaysOnTheNewestEpochsMaster()
    {
        var (oldMaster, newMaster) = (Redis.DataPorts[0], Redis.DataPorts[1]);

        // The first sentinel asked never hears of the failover, and the old master keeps answering ROLE master: the
        // window after +switch-master in which a sentinel that did not run the failover names the old master, held open.
        var stale = await Redis.Faults.StartStaleSentinelAsync();
        await Redis.Faults.DenyDemotionAsync(oldMaster);
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = await ConnectAsync([stale, .. Redis.SentinelPorts], time, logger);
        Assert.Equal(oldMaster, PortOf(connection.Current));

        await Redis.FailoverAsync().WaitAsync(FailoverWait);
        var staleView = await RedisSentinelGroup.SentinelViewAsync(stale).WaitAsync(PollWait);
        var newestView = await RedisSentinelGroup.SentinelViewAsync(Redis.SentinelPorts[0]).WaitAsync(PollWait);
        Assert.Equal(oldMaster, staleView.MasterPort);
        Assert.Equal(newMaster, newestView.MasterPort);
        Assert.True(staleView.ConfigEpoch < newestView.ConfigEpoch, $"stale epoch {staleView.ConfigEpoch}, newest {newestView.ConfigEpoch}");
        await using (var old = await RedisSentinelGroup.ConnectToAsync(oldMaster))
        {
            Assert.Equal("master", (await old.GetServer("127.0.0.1", oldMaster).RoleAsync().WaitAsync(PollWait)).Value);
        }

        // Whether +switch-master got here first or not, every poll ends on the new master.
        for (var poll = 0; poll < 5; poll++)
        {
            time.Advance(PollInterval);
            await connection.RefreshAsync().WaitAsync(PollWait);
            Assert.True(!Refuses(connection) && PortOf(connection.Current) == newMaster,
                $"poll {poll + 1}: not on the new master {newMaster}:" + Environment.NewLine + Describe(logger));
        }

        // Only the stale sentinel answers now; its older epoch does not move the connection back. Polled until its answer is
        // seen (on a loaded machine its link may be down, skipped by polls, for a while: the bound is a hang guard), twice more.
        await Redis.Faults.DenyMasterLookupsAsync(deny: true);
        var pollsAfterTheAnswer = 0;
        Assert.True(await GatewayClient.EventuallyAsync(async () =>
        {
            time.Advance(PollInterval);
            await connection.RefreshAsync().WaitAsync(PollWait);
            Assert.Equal(newMaster, PortOf(connection.Current));
            return Count(logger, "SentinelStaleConfig") > 0 && pollsAfterTheAnswer++ == 2;
        }, FailoverWait), "the stale sentinel's answer never seen:" + Environment.NewLine + Describe(logger));
        Assert.True(Count(logger, "SentinelStaleConfig") == 1, Describe(logger));

        // A write through the connection lands on the new master, and not on the old one.
        var key = "epoch-probe-" + Guid.NewGuid().ToString("N");
        Assert.True(await connection.Current.GetDatabase(2).StringSetAsync(key, "written").WaitAsync(PollWait));
        await using var onNew = await RedisSentinelGroup.ConnectToAsync(newMaster);
        await using var onOld = await RedisSentinelGroup.ConnectToAsync(oldMaster);
        Assert.Equal("written", (string?)await onNew.GetDatabase(2).StringGetAsync(key).WaitAsync(PollWait));
        Assert.False(await onOld.GetDatabase(2).KeyExistsAsync(key).WaitAsync(PollWait));
    }

    [Fact]
    public async Task SwitchMasterEvent_SentinelsAnnounceHostNames_SwitchesToTheNamedMasterOnce()
    {
        await using var group = await RedisSentinelGroup.StartNewAsync(announceHostnames: true);
        var (oldMaster, newMaster) = (group.DataPorts[0], group.DataPorts[1]);

        // The clock never moves, so no poll runs: only +switch-master can move the connection or end the refusal.
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = await ConnectAsync([group.SentinelPorts[0]], time, logger);
        Assert.Equal(new DnsEndPoint("localhost", oldMaster), connection.Current.GetEndPoints().Single());

        await group.FailoverAsync().WaitAsync(FailoverWait);

        Assert.True(
            await GatewayClient.EventuallyAsync(() => Task.FromResult(!Refuses(connection) && PortOf(connection.Current) == newMaster), PollWait),
            "+switch-master with a host name did not move the connection:" + Environment.NewLine + Describe(logger));
        var switched = connection.Current;
        Assert.Equal(new DnsEndPoint("localhost", newMaster), switched.GetEndPoints().Single());

        // The poll's answer names the same master the same way: no second switch.
        time.Advance(PollInterval);
        await connection.RefreshAsync().WaitAsync(PollWait);
        Assert.Same(switched, connection.Current);
        Assert.Equal(2, Count(logger, "SentinelMasterSwitched"));
    }

    [Fact]
    public async Task FailoverEvents_SentinelHoldingTheSubscriptionPartitioned_RefusesAndSwitchesThroughTheOthersWithoutAPoll()
    {
        var (oldMaster, newMaster) = (Redis.DataPorts[0], Redis.DataPorts[1]);

        // The clock never moves, so no poll runs: only events can start the refusal or move the connection.
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = await ConnectAsync(Redis.SentinelPorts, time, logger);
        Assert.Equal(oldMaster, PortOf(connection.Current));

        // Partition the first sentinel that holds a subscription (one multiplexer over all sentinels holds it on one of
        // them); the failover runs through another, which alone publishes the failover-progress events.
        var subscribed = await Redis.PatternSubscribedSentinelsAsync().WaitAsync(PollWait);
        Assert.NotEmpty(subscribed);
        var partitioned = subscribed[0];
        output.WriteLine($"subscribed on {string.Join(", ", subscribed)}; partitioning {partitioned}");
        await Redis.PauseSentinelAsync(partitioned);
        await Redis.FailoverAsync(throughPort: Redis.SentinelPorts.First(port => port != partitioned)).WaitAsync(FailoverWait);

        Assert.True(Count(logger, "SentinelFailoverStarted") == 1, "the failover events did not start the refusal:" + Environment.NewLine + Describe(logger));
        Assert.True(
            await GatewayClient.EventuallyAsync(() => Task.FromResult(!Refuses(connection) && PortOf(connection.Current) == newMaster), FailoverWait),
            "+switch-master from the other sentinels did not move the connection:" + Environment.NewLine + Describe(logger));

        // Each sentinel that ran or learned of the failover sent +switch-master: followed once, logged once.
        Assert.True(Count(logger, "SentinelMasterSwitched") == 2, Describe(logger));
        Assert.True(Count(logger, "SentinelFailoverStarted") == 1, Describe(logger));
    }

    [Fact]
    public async Task RefreshAsync_SentinelsFailEveryPoll_WarnsOncePerIntervalAndOnceWhenTheyAnswerAgain()
    {
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = await ConnectAsync(Redis.SentinelPorts, time, logger);
        var master = PortOf(connection.Current);

        await Redis.Faults.DenyMasterLookupsAsync(deny: true);
        for (var poll = 0; poll < 10; poll++)
        {
            time.Advance(PollInterval);
            await connection.RefreshAsync().WaitAsync(PollWait);
        }

        Assert.True(Count(logger, "SentinelsUnavailable") == 1, "10 failed polls:" + Environment.NewLine + Describe(logger));
        Assert.Equal(master, PortOf(connection.Current));

        time.Advance(TimeSpan.FromMinutes(1));
        await connection.RefreshAsync().WaitAsync(PollWait);
        Assert.True(Count(logger, "SentinelsUnavailable") == 2, "a minute more:" + Environment.NewLine + Describe(logger));

        await Redis.Faults.DenyMasterLookupsAsync(deny: false);
        time.Advance(PollInterval);
        await connection.RefreshAsync().WaitAsync(PollWait);
        Assert.Equal(1, Count(logger, "SentinelsAnswering"));
        Assert.Equal(2, Count(logger, "SentinelsUnavailable"));
    }

    private static int Count(FakeLogger logger, string eventName) =>
        logger.Collector.GetSnapshot().Count(record => record.Id.Name == eventName);

    private static string Describe(FakeLogger logger) =>
        string.Join(Environment.NewLine, logger.Collector.GetSnapshot().Select(record => $"{record.Id.Name}: {record.Message}"));

    private static bool Refuses(SentinelMasterConnection connection)
    {
        try
        {
            _ = connection.Current;
            return false;
        }
        catch (SmsCodeStoreUnavailableException)
        {
            return true;
        }
    }

    private static async Task<SentinelMasterConnection> ConnectAsync(IEnumerable<int> sentinelPorts, TimeProvider time, FakeLogger<SentinelMasterConnection> logger)
    {
        var redis = string.Join(",", sentinelPorts.Select(port => $"127.0.0.1:{port}")) + ",serviceName=" + RedisSentinelGroup.ServiceName;
        var connection = new SentinelMasterConnection(RedisConnectionFactory.CreateOptions(new RedisSmsCodeStoreOptions { Configuration = redis }), time, logger);
        await connection.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return connection;
    }

    private static int PortOf(IConnectionMultiplexer connection) => connection.GetEndPoints().Single() switch
    {
        IPEndPoint ip => ip.Port,
        DnsEndPoint dns => dns.Port,
        var other => throw new InvalidOperationException($"Unexpected endpoint {other}."),
    };
}
