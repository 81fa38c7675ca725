using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Gateway.Middleware.Store.Redis.Sentinel;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Gateway.Tests.Store.Redis.Sentinel;

/// <summary>
/// The gate on a real Sentinel deployment (a master, a replica, three sentinels), configured with the sentinels and
/// the service name only: it finds the master, and after a failover under a steady stream of requests it recovers
/// without a restart, with a short run of 503s and nothing else. The <see cref="SentinelMasterConnection"/> tests drive
/// its poll by hand (a fake clock, <see cref="SentinelMasterConnection.RefreshAsync"/>), so that only the path under
/// test can move it.
/// </summary>
public sealed class RedisSentinelTests : IAsyncLifetime
{
    private static readonly TimeSpan OutageBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PollWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FailoverWait = TimeSpan.FromSeconds(30);
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

        // Recovered inside the stream: the README reports about 1.15 s of 503s; allow 4x that, or more on a loaded machine.
        Assert.True(load.Last503AfterFailoverStarted < load.Allowance(RecoveryBound), $"503s went on for {load.Last503AfterFailoverStarted} after the failover started, over {load.Allowance(RecoveryBound)}");
        Assert.True(load.OutageLength() < load.Allowance(OutageBound), $"the 503s lasted {load.OutageLength()}, over {load.Allowance(OutageBound)}");
        Assert.True(load.IssuedAfterTheLast503() >= FailoverLoad.IssuedToShowRecovery, $"only {load.IssuedAfterTheLast503()} codes issued after the last 503");
        Assert.True(await GatewayClient.EventuallyAsync(
            async () => (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode == HttpStatusCode.OK, load.Allowance(RecoveryBound)),
            "no 200 after the failover:" + Environment.NewLine + FailoverLoad.DescribeLogs(host.Logs));
    }

    [Fact]
    public async Task RefreshAsync_SentinelNamesAReplica_KeepsTheMasterUntilTheReplicaIsPromoted()
    {
        var (master, replica) = (_group.DataPorts[0], _group.DataPorts[1]);
        var sentinel = _group.SentinelPorts[0];
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = await ConnectAsync([sentinel], new FakeTimeProvider(), logger);
        Assert.Equal(master, PortOf(connection.Current));

        await _group.Faults.PointSentinelAtAsync(sentinel, replica);
        await connection.RefreshAsync().WaitAsync(PollWait);
        await connection.RefreshAsync().WaitAsync(PollWait);

        Assert.Equal(master, PortOf(connection.Current));
        Assert.Equal(1, Count(logger, "SentinelCandidateNotMaster"));

        await _group.Faults.PromoteAsync(replica);
        await connection.RefreshAsync().WaitAsync(PollWait);

        Assert.Equal(replica, PortOf(connection.Current));
    }

    [Fact]
    public async Task RefreshAsync_SwitchMasterEventLost_EndsTheRefusalAtTheNextPoll()
    {
        var (oldMaster, newMaster) = (_group.DataPorts[0], _group.DataPorts[1]);

        // Through the sentinel that runs SENTINEL FAILOVER, which is the one that publishes the failover events.
        await using var proxy = new SwitchMasterDroppingProxy(_group.SentinelPorts[0]);
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = await ConnectAsync([proxy.Port], time, logger);
        Assert.Equal(oldMaster, PortOf(connection.Current));

        var failover = _group.FailoverAsync();
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
        var (oldMaster, newMaster) = (_group.DataPorts[0], _group.DataPorts[1]);

        // The first sentinel asked never hears of the failover, and the old master keeps answering ROLE master: the
        // window after +switch-master in which a sentinel that did not run the failover names the old master, held open.
        var stale = await _group.Faults.StartStaleSentinelAsync();
        await _group.Faults.DenyDemotionAsync(oldMaster);
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = await ConnectAsync([stale, .. _group.SentinelPorts], time, logger);
        Assert.Equal(oldMaster, PortOf(connection.Current));

        await _group.FailoverAsync().WaitAsync(FailoverWait);
        var staleView = await RedisSentinelGroup.SentinelViewAsync(stale).WaitAsync(PollWait);
        var newestView = await RedisSentinelGroup.SentinelViewAsync(_group.SentinelPorts[0]).WaitAsync(PollWait);
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
        await _group.Faults.DenyMasterLookupsAsync(deny: true);
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
        var (oldMaster, newMaster) = (_group.DataPorts[0], _group.DataPorts[1]);

        // The clock never moves, so no poll runs: only events can start the refusal or move the connection.
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<SentinelMasterConnection>();
        using var connection = await ConnectAsync(_group.SentinelPorts, time, logger);
        Assert.Equal(oldMaster, PortOf(connection.Current));

        // Partition the first sentinel that holds a subscription (one multiplexer over all sentinels holds it on one of
        // them); the failover runs through another, which alone publishes the failover-progress events.
        var subscribed = await _group.PatternSubscribedSentinelsAsync().WaitAsync(PollWait);
        Assert.NotEmpty(subscribed);
        var partitioned = subscribed[0];
        _output.WriteLine($"subscribed on {string.Join(", ", subscribed)}; partitioning {partitioned}");
        await _group.PauseSentinelAsync(partitioned);
        await _group.FailoverAsync(throughPort: _group.SentinelPorts.First(port => port != partitioned)).WaitAsync(FailoverWait);

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
        using var connection = await ConnectAsync(_group.SentinelPorts, time, logger);
        var master = PortOf(connection.Current);

        await _group.Faults.DenyMasterLookupsAsync(deny: true);
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

        await _group.Faults.DenyMasterLookupsAsync(deny: false);
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

    private GatewayHost StartGateway()
    {
        var host = new GatewayHost(new GatewayConfig(_provider.Address, _group.ConnectionString)).Start();
        _resources.Add(host);
        return host;
    }

    /// <summary>
    /// A loopback TCP proxy in front of one sentinel that closes a connection instead of passing on a read from the
    /// sentinel that carries <c>+switch-master</c>: the event is lost the way it is when the link breaks as it is sent.
    /// Everything else passes, and the client may reconnect at once.
    /// </summary>
    private sealed class SwitchMasterDroppingProxy : IAsyncDisposable
    {
        private static readonly byte[] Marker = "+switch-master"u8.ToArray();
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly int _sentinelPort;
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentBag<Task> _relays = [];
        private readonly TaskCompletionSource _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _accepting;

        public SwitchMasterDroppingProxy(int sentinelPort)
        {
            _sentinelPort = sentinelPort;
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _accepting = AcceptAsync();
        }

        public int Port { get; }

        /// <summary>Completes when a <c>+switch-master</c> was dropped.</summary>
        public Task SwitchMasterDropped => _dropped.Task;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting.WaitAsync(PollWait);
            await Task.WhenAll(_relays).WaitAsync(PollWait);
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _relays.Add(RelayAsync(client));
            }
        }

        private async Task RelayAsync(TcpClient client)
        {
            using var sentinel = new TcpClient();
            using var link = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            using (client)
            {
                try
                {
                    await sentinel.ConnectAsync(IPAddress.Loopback, _sentinelPort, link.Token);
                    var up = CopyAsync(client.GetStream(), sentinel.GetStream(), dropSwitchMaster: false, link.Token);
                    var down = CopyAsync(sentinel.GetStream(), client.GetStream(), dropSwitchMaster: true, link.Token);
                    await Task.WhenAny(up, down);
                    await link.CancelAsync();
                    await Task.WhenAll(up, down);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
                {
                    // The link is gone; closing both ends below is all that is left to do.
                }
            }
        }

        private async Task CopyAsync(NetworkStream from, NetworkStream to, bool dropSwitchMaster, CancellationToken cancellationToken)
        {
            var buffer = new byte[Marker.Length + 16 * 1024];
            var carried = 0; // the end of the previous read, in case the marker straddles two reads
            while (true)
            {
                var read = await from.ReadAsync(buffer.AsMemory(carried), cancellationToken);
                if (read == 0)
                {
                    return;
                }

                if (dropSwitchMaster && buffer.AsSpan(0, carried + read).IndexOf(Marker) >= 0)
                {
                    _dropped.TrySetResult();
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(carried, read), cancellationToken);
                var keep = Math.Min(Marker.Length - 1, carried + read);
                buffer.AsSpan(carried + read - keep, keep).CopyTo(buffer);
                carried = keep;
            }
        }
    }
}
