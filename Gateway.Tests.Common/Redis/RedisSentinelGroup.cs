using System.Diagnostics;
using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace Gateway.Tests.Common.Redis;

/// <summary>
/// A real Sentinel deployment on loopback: a master, one replica, and three sentinels monitoring them as
/// <see cref="ServiceName"/> (quorum 2, down after 1 s), each process in its own temporary directory. The master can
/// be failed over with <c>SENTINEL FAILOVER</c> while the gateway runs.
/// </summary>
public sealed class RedisSentinelGroup : IAsyncDisposable, IPausable
{
    public const string ServiceName = "mymaster";
    private const int SentinelCount = 3;
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(20);
    private readonly RedisNodes _group = RedisNodes.Create("redis-sentinel-");
    private readonly bool _announceHostnames;
    private readonly List<RedisProcess> _dataNodes = [];
    private readonly List<RedisProcess> _sentinels = [];
    private readonly HashSet<int> _pausedSentinels = [];
    private ConnectionMultiplexer? _sentinelAdmin;
    private ConnectionMultiplexer? _dataAdmin;

    private RedisSentinelGroup(bool announceHostnames)
    {
        _announceHostnames = announceHostnames;
        Faults = new SentinelFaults(this);
    }

    /// <summary>What a test can break in the group: stale or wrong sentinels, denied commands, a master behind their backs.</summary>
    public SentinelFaults Faults { get; }

    /// <summary>The gateway's <c>SmsCodeGate:Redis</c>: the three sentinels and the service name.</summary>
    public string ConnectionString => string.Join(",", _sentinels.Select(sentinel => sentinel.EndPoint)) + ",serviceName=" + ServiceName;

    /// <summary>The sentinels' ports, in start order (<c>SENTINEL FAILOVER</c> goes to the first).</summary>
    public IReadOnlyList<int> SentinelPorts => _sentinels.Select(sentinel => sentinel.Port).ToList();

    /// <summary>The data nodes' ports: the first started as master, the second as its replica.</summary>
    public IReadOnlyList<int> DataPorts => _dataNodes.Select(node => node.Port).ToList();

    /// <summary>
    /// Starts the group and waits until the replica is in sync and every sentinel knows the replica and the other
    /// sentinels. With <paramref name="announceHostnames"/> the nodes are known as <c>localhost</c>
    /// (<c>sentinel resolve-hostnames</c>, <c>sentinel announce-hostnames</c>, <c>replica-announce-ip localhost</c>),
    /// so the sentinels name the master by host name in their answers and events.
    /// </summary>
    public static Task<RedisSentinelGroup> StartNewAsync(bool announceHostnames = false) =>
        RedisNodes.FormOrDisposeAsync(new RedisSentinelGroup(announceHostnames), group => group.FormAsync());

    /// <summary>The master's port as the first sentinel not paused that answers reports it.</summary>
    public async Task<int> MasterPortAsync()
    {
        foreach (var sentinel in _sentinels.Where(sentinel => !_pausedSentinels.Contains(sentinel.Port)))
        {
            try
            {
                return PortOf(await SentinelServer(sentinel).SentinelGetMasterAddressByNameAsync(ServiceName));
            }
            catch (RedisException)
            {
                // Try the next sentinel.
            }
        }

        throw new InvalidOperationException("No sentinel reported the master.");
    }

    /// <summary>
    /// A connection to the data node on <paramref name="port"/> alone, for assertions that must read one node (the new
    /// master after a failover), not whichever the connection thinks is master. The caller disposes it.
    /// </summary>
    public static async Task<ConnectionMultiplexer> ConnectToAsync(int port) =>
        await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { { "127.0.0.1", port } }, AllowAdmin = true, AbortOnConnectFail = false });

    /// <summary>
    /// Sends <c>SENTINEL FAILOVER</c> to the sentinel on <paramref name="throughPort"/> (by default the first) and waits
    /// until every sentinel not paused (<see cref="PauseSentinelAsync"/>) reports the former replica as master
    /// and it answers <c>ROLE</c> as master. Returns how long that took. The former master keeps answering as a
    /// master until a sentinel reconfigures it (Sentinel does that on its next INFO, up to about 10 s later).
    /// </summary>
    public async Task<TimeSpan> FailoverAsync(int? throughPort = null)
    {
        var oldMaster = await MasterPortAsync();
        var newMaster = _dataNodes.Single(node => node.Port != oldMaster).Port;
        await RedisTools.WaitUntilAsync($"Replica {newMaster} in sync before the failover", FailoverTimeout, () => ReplicaNotInSyncAsync(newMaster));

        var watch = Stopwatch.StartNew();
        await SentinelServer(_sentinels.Single(sentinel => sentinel.Port == (throughPort ?? _sentinels[0].Port))).SentinelFailoverAsync(ServiceName);
        await RedisTools.WaitUntilAsync($"Sentinel failover from {oldMaster} to {newMaster}", FailoverTimeout, async () =>
        {
            foreach (var sentinel in _sentinels.Where(sentinel => !_pausedSentinels.Contains(sentinel.Port)))
            {
                var reported = PortOf(await SentinelServer(sentinel).SentinelGetMasterAddressByNameAsync(ServiceName));
                if (reported != newMaster)
                {
                    return $"sentinel {sentinel.EndPoint} reports master {reported}";
                }
            }

            var role = (await DataServer(newMaster).RoleAsync()).Value;
            return role == "master" ? null : $"{newMaster} answers ROLE {role}";
        });
        return watch.Elapsed;
    }

    /// <summary>
    /// The ports of the group's sentinels that have a client with a pattern subscription (<c>psub</c> in
    /// <c>CLIENT LIST</c>): where a gateway's sentinel connection listens for events.
    /// </summary>
    public async Task<List<int>> PatternSubscribedSentinelsAsync()
    {
        var subscribed = new List<int>();
        foreach (var sentinel in _sentinels)
        {
            // Through redis-cli: the sentinel command map of the library has no CLIENT.
            var clients = await RedisTools.RunCliAsync(FormTimeout, "-h", "127.0.0.1", "-p", RedisTools.Invariant(sentinel.Port), "CLIENT", "LIST");
            if (clients.Split('\n').Any(client => client.Split(' ').Any(field => field.StartsWith("psub=", StringComparison.Ordinal) && field != "psub=0")))
            {
                subscribed.Add(sentinel.Port);
            }
        }

        return subscribed;
    }

    /// <summary>
    /// Stops the sentinel on <paramref name="port"/> with SIGSTOP: its connections stay open but it answers nothing and
    /// publishes no event, as a partitioned sentinel. It stays stopped until the group is disposed.
    /// </summary>
    public async Task PauseSentinelAsync(int port)
    {
        await _sentinels.Single(sentinel => sentinel.Port == port).PauseAsync();
        _pausedSentinels.Add(port);
    }

    /// <summary>Lets every sentinel paused by <see cref="PauseSentinelAsync"/> run again (SIGCONT).</summary>
    public async Task ResumeSentinelsAsync()
    {
        foreach (var sentinel in _sentinels.Where(sentinel => _pausedSentinels.Contains(sentinel.Port)))
        {
            await sentinel.ResumeAsync();
        }

        _pausedSentinels.Clear();
    }

    /// <summary>
    /// What the sentinel on <paramref name="sentinelPort"/> (of the group or not) says of <see cref="ServiceName"/>: the
    /// master's port (<c>SENTINEL GET-MASTER-ADDR-BY-NAME</c>), and the config epoch and flags of <c>SENTINEL MASTER</c>.
    /// </summary>
    public static async Task<(int MasterPort, long ConfigEpoch, string Flags)> SentinelViewAsync(int sentinelPort)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(
            new ConfigurationOptions { EndPoints = { { "127.0.0.1", sentinelPort } }, CommandMap = CommandMap.Sentinel, TieBreaker = "", AbortOnConnectFail = false });
        var sentinel = connection.GetServer("127.0.0.1", sentinelPort);
        var master = (await sentinel.SentinelMasterAsync(ServiceName)).ToDictionary(pair => pair.Key, pair => pair.Value);
        var port = PortOf(await sentinel.SentinelGetMasterAddressByNameAsync(ServiceName));
        return (port, long.Parse(master["config-epoch"], CultureInfo.InvariantCulture), master.GetValueOrDefault("flags") ?? "");
    }

    /// <summary>
    /// One line on where writes go: each data node's role, its EVALSHA count so far, and its key count in
    /// <paramref name="database"/>. A failover test prints it every half second.
    /// </summary>
    public Task<string> DescribeDataNodesAsync(int database) =>
        RedisNodes.DescribeAsync(_dataNodes.Select(node => DataServer(node.Port)), database);

    /// <inheritdoc/>
    public Task ResumeIfPausedAsync() => _group.ResumeIfPausedAsync();

    public async ValueTask DisposeAsync()
    {
        await ResumeIfPausedAsync();

        foreach (var connection in new[] { _sentinelAdmin, _dataAdmin })
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }

        await _group.DisposeAsync();
    }

    internal static int PortOf(EndPoint? endPoint) =>
        RedisNodes.PortOf(endPoint ?? throw new InvalidOperationException($"The sentinel reported no master for {ServiceName}."));

    internal IServer SentinelServer(int port) => _sentinelAdmin!.GetServer("127.0.0.1", port);

    private IServer SentinelServer(RedisProcess sentinel) => SentinelServer(sentinel.Port);

    internal IServer DataServer(int port) => _dataAdmin!.GetServer("127.0.0.1", port);

    private Task<string?> ReplicaNotInSyncAsync(int port) => RedisNodes.ReplicaNotInSyncAsync(DataServer(port));

    private async Task FormAsync()
    {
        _dataNodes.Add(await StartDataNodeAsync([]));
        var masterPort = _dataNodes[0].Port;
        _dataNodes.Add(await StartDataNodeAsync(["--replicaof", "127.0.0.1", RedisTools.Invariant(masterPort)]));
        for (var i = 0; i < SentinelCount; i++)
        {
            _sentinels.Add(await StartSentinelAsync(masterPort, []));
        }

        _dataAdmin = await RedisNodes.ConnectAdminAsync(DataPorts);
        _sentinelAdmin = await RedisNodes.ConnectAdminAsync(SentinelPorts, sentinels: true);
        var replicaPort = _dataNodes[1].Port;
        await RedisTools.WaitUntilAsync("The sentinel group forming", FormTimeout, async () =>
        {
            if (await ReplicaNotInSyncAsync(replicaPort) is { } notInSync)
            {
                return notInSync;
            }

            foreach (var sentinel in _sentinels)
            {
                var master = (await SentinelServer(sentinel).SentinelMasterAsync(ServiceName)).ToDictionary(pair => pair.Key, pair => pair.Value);
                var replicas = await SentinelServer(sentinel).SentinelReplicasAsync(ServiceName);
                var replicaLinks = replicas.Select(replica => replica.ToDictionary(pair => pair.Key, pair => pair.Value).GetValueOrDefault("master-link-status")).ToList();
                if (master.GetValueOrDefault("flags") != "master"
                    || master.GetValueOrDefault("num-other-sentinels") != RedisTools.Invariant(SentinelCount - 1)
                    || replicaLinks is not ["ok"])
                {
                    return string.Create(CultureInfo.InvariantCulture,
                        $"sentinel {sentinel.EndPoint}: flags {master.GetValueOrDefault("flags")}, other sentinels {master.GetValueOrDefault("num-other-sentinels")}, replica links [{string.Join(",", replicaLinks)}]");
                }
            }

            return null;
        });
    }

    private Task<RedisProcess> StartDataNodeAsync(string[] extraArguments) =>
        _group.StartDataNodeAsync(_ => [.. _announceHostnames ? ["--replica-announce-ip", "localhost"] : Array.Empty<string>(), .. extraArguments]);

    internal Task<RedisProcess> StartSentinelAsync(int masterPort, string[] extraLines) =>
        _group.StartAsync(port => [WriteSentinelConfig(port, masterPort, extraLines), "--sentinel"]);

    /// <summary>Writes the configuration of a sentinel on <paramref name="port"/> monitoring <paramref name="masterPort"/>, with <paramref name="extraLines"/>; returns its path.</summary>
    private string WriteSentinelConfig(int port, int masterPort, string[] extraLines) =>
        SentinelConfigFile.Write(_group.Subdirectory("sentinel-" + RedisTools.Invariant(port)), port, ServiceName, masterPort, _announceHostnames, extraLines);
}
