using System.Diagnostics;
using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A real Sentinel deployment on loopback: a master, one replica, and three sentinels monitoring them as
/// <see cref="ServiceName"/> (quorum 2, down after 1 s), each process in its own temporary directory. The master can
/// be failed over with <c>SENTINEL FAILOVER</c> while the gateway runs.
/// </summary>
public sealed class RedisSentinelGroup : IAsyncDisposable, IPausable
{
    public const string ServiceName = "mymaster";
    private const int SentinelCount = 3;
    private const string StaleSentinelUser = "stale-sentinel";
    private const string StaleSentinelPassword = "stale-sentinel-password";
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(20);
    private readonly string _directory;
    private readonly bool _announceHostnames;
    private readonly List<RedisProcess> _dataNodes = [];
    private readonly List<RedisProcess> _sentinels = [];
    private readonly List<RedisProcess> _staleSentinels = [];
    private readonly HashSet<int> _pausedSentinels = [];
    private ConnectionMultiplexer? _sentinelAdmin;
    private ConnectionMultiplexer? _dataAdmin;

    private RedisSentinelGroup(string directory, bool announceHostnames)
    {
        _directory = directory;
        _announceHostnames = announceHostnames;
    }

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
    public static async Task<RedisSentinelGroup> StartNewAsync(bool announceHostnames = false)
    {
        var group = new RedisSentinelGroup(Directory.CreateTempSubdirectory("redis-sentinel-").FullName, announceHostnames);
        try
        {
            await group.FormAsync();
            return group;
        }
        catch
        {
            await group.DisposeAsync();
            throw;
        }
    }

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
    /// Makes the sentinel on <paramref name="sentinelPort"/> name the data node on <paramref name="dataPort"/> as the
    /// master (<c>SENTINEL REMOVE</c>, then <c>SENTINEL MONITOR</c>): a stale or wrong sentinel answer. The other
    /// sentinels keep the real master; with no failover yet every config epoch is 0, so none corrects the other.
    /// </summary>
    public async Task PointSentinelAtAsync(int sentinelPort, int dataPort)
    {
        var sentinel = _sentinelAdmin!.GetServer("127.0.0.1", sentinelPort);
        await sentinel.ExecuteAsync("SENTINEL", "REMOVE", ServiceName);
        await sentinel.ExecuteAsync("SENTINEL", "MONITOR", ServiceName, "127.0.0.1", RedisTools.Invariant(dataPort), "2");
        var reported = PortOf(await sentinel.SentinelGetMasterAddressByNameAsync(ServiceName));
        if (reported != dataPort)
        {
            throw new InvalidOperationException($"Sentinel {sentinelPort} reports master {reported} after MONITOR {dataPort}.");
        }
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
    /// Denies (or allows again) <c>SENTINEL GET-MASTER-ADDR-BY-NAME</c> to the default user on every sentinel: the
    /// sentinels stay up and connected, but every master lookup is answered NOPERM.
    /// </summary>
    public async Task DenyMasterLookupsAsync(bool deny)
    {
        foreach (var sentinel in _sentinels)
        {
            await SentinelServer(sentinel).ExecuteAsync("ACL", "SETUSER", "default", (deny ? "-" : "+") + "sentinel|get-master-addr-by-name");
        }
    }

    /// <summary>
    /// Starts a sentinel outside the group that monitors the current master as <see cref="ServiceName"/> and cannot learn
    /// a newer configuration: it reaches the data nodes as a user that may use no pub/sub channel, so it neither hears
    /// nor sends the hello messages through which sentinels find each other and spread a failover's configuration (the
    /// group's sentinels never learn of it), and that may not reconfigure a node (REPLICAOF, CONFIG), so it cannot demote
    /// the new master either. After a failover it goes on naming the old master at the old config epoch: a sentinel that
    /// has not heard of the failover yet, held in that state. Returns its port; the group stops it.
    /// </summary>
    public async Task<int> StartStaleSentinelAsync()
    {
        foreach (var node in _dataNodes)
        {
            await DataServer(node.Port).ExecuteAsync("ACL", "SETUSER", StaleSentinelUser, "reset", "on", ">" + StaleSentinelPassword,
                "~*", "resetchannels", "+@all", "-replicaof", "-slaveof", "-config", "-failover", "-shutdown", "-client|kill");
        }

        var master = await MasterPortAsync();
        var stale = await StartSentinelAsync(master,
        [
            $"sentinel auth-user {ServiceName} {StaleSentinelUser}",
            $"sentinel auth-pass {ServiceName} {StaleSentinelPassword}",

            // It must go on naming the old master: with the group's 1 s, a loaded machine can make it see the old master
            // down for a moment, and a sentinel that sees its master down names none.
            $"sentinel down-after-milliseconds {ServiceName} 60000",
        ]);
        _staleSentinels.Add(stale);
        var port = stale.Port;
        await RedisTools.WaitUntilAsync($"The stale sentinel {port} monitoring {master}", FormTimeout, async () =>
        {
            // Its pub/sub link shows as disconnected (the hello channel is denied); the master must not be down to it.
            var (reported, _, flags) = await SentinelViewAsync(port);
            var down = flags.Split(',').Intersect(["s_down", "o_down"]).Any();
            return reported == master && !down ? null : $"it reports master {reported}, flags {flags}";
        });
        return port;
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
    /// Denies <c>REPLICAOF</c>/<c>SLAVEOF</c> to the default user on the data node on <paramref name="port"/>, so that
    /// the sentinels cannot demote it after a failover: it goes on answering <c>ROLE</c> as master, as a former master
    /// does until its sentinels reach it (about 10 s here), for as long as the test needs.
    /// </summary>
    public async Task DenyDemotionAsync(int port)
    {
        await DataServer(port).ExecuteAsync("ACL", "SETUSER", "default", "-replicaof", "-slaveof");
    }

    /// <summary>Makes the data node on <paramref name="port"/> a master (<c>REPLICAOF NO ONE</c>) behind the sentinels' backs.</summary>
    public async Task PromoteAsync(int port)
    {
        await DataServer(port).ExecuteAsync("REPLICAOF", "NO", "ONE");
        var role = (await DataServer(port).RoleAsync()).Value;
        if (role != "master")
        {
            throw new InvalidOperationException($"{port} answers ROLE {role} after REPLICAOF NO ONE.");
        }
    }

    /// <summary>
    /// One line on where writes go: each data node's role, its EVALSHA count so far, and its key count in
    /// <paramref name="database"/>. A failover test prints it every half second.
    /// </summary>
    public async Task<string> DescribeDataNodesAsync(int database)
    {
        var parts = new List<string>();
        foreach (var node in _dataNodes)
        {
            try
            {
                var server = DataServer(node.Port);
                var role = (await server.RoleAsync()).Value;
                var stats = await server.InfoRawAsync("commandstats") ?? "";
                var evalsha = RedisTools.InfoField(stats, "cmdstat_evalsha")?.Split(',')[0] ?? "calls=0";
                var keys = await server.DatabaseSizeAsync(database);
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{node.Port} {role} evalsha {evalsha} keys={keys}"));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                parts.Add($"{node.Port} {ex.GetType().Name}");
            }
        }

        return string.Join(" | ", parts);
    }

    /// <inheritdoc/>
    public async Task ResumeIfPausedAsync()
    {
        foreach (var process in _staleSentinels.Concat(_sentinels).Concat(_dataNodes))
        {
            await process.ResumeIfPausedAsync();
        }
    }

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

        foreach (var process in _staleSentinels.Concat(_sentinels).Concat(_dataNodes))
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A sentinel that was still rewriting its config as it died; the temp directory is cleaned up later.
        }
    }

    private static int PortOf(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => ip.Port,
        DnsEndPoint dns => dns.Port,
        _ => throw new InvalidOperationException($"The sentinel reported no master for {ServiceName}."),
    };

    private IServer SentinelServer(RedisProcess sentinel) => _sentinelAdmin!.GetServer("127.0.0.1", sentinel.Port);

    private IServer DataServer(int port) => _dataAdmin!.GetServer("127.0.0.1", port);

    private async Task<string?> ReplicaNotInSyncAsync(int port)
    {
        var replication = await DataServer(port).InfoRawAsync("replication") ?? "";
        var link = RedisTools.InfoField(replication, "master_link_status");
        return RedisTools.InfoField(replication, "role") == "slave" && link != "up" ? $"{port}: master_link_status {link}" : null;
    }

    private async Task FormAsync()
    {
        _dataNodes.Add(await StartDataNodeAsync([]));
        var masterPort = _dataNodes[0].Port;
        _dataNodes.Add(await StartDataNodeAsync(["--replicaof", "127.0.0.1", RedisTools.Invariant(masterPort)]));
        for (var i = 0; i < SentinelCount; i++)
        {
            _sentinels.Add(await StartSentinelAsync(masterPort, []));
        }

        var data = new ConfigurationOptions { AllowAdmin = true, AbortOnConnectFail = false, BacklogPolicy = BacklogPolicy.FailFast };
        var sentinels = new ConfigurationOptions { AllowAdmin = true, AbortOnConnectFail = false, CommandMap = CommandMap.Sentinel, TieBreaker = "" };
        foreach (var node in _dataNodes)
        {
            data.EndPoints.Add("127.0.0.1", node.Port);
        }

        foreach (var sentinel in _sentinels)
        {
            sentinels.EndPoints.Add("127.0.0.1", sentinel.Port);
        }

        _dataAdmin = await ConnectionMultiplexer.ConnectAsync(data);
        _sentinelAdmin = await ConnectionMultiplexer.ConnectAsync(sentinels);
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
        RedisProcess.StartOnFreePortAsync(port =>
        {
            var arguments = RedisProcess.DataNodeArguments(port, Directory.CreateDirectory(Path.Combine(_directory, RedisTools.Invariant(port))).FullName);
            if (_announceHostnames)
            {
                arguments.AddRange(["--replica-announce-ip", "localhost"]);
            }

            arguments.AddRange(extraArguments);
            return arguments;
        });

    private Task<RedisProcess> StartSentinelAsync(int masterPort, string[] extraLines) =>
        RedisProcess.StartOnFreePortAsync(port => [WriteSentinelConfig(port, masterPort, extraLines), "--sentinel"]);

    /// <summary>Writes the configuration of a sentinel on <paramref name="port"/> monitoring <paramref name="masterPort"/>, with <paramref name="extraLines"/>; returns its path.</summary>
    private string WriteSentinelConfig(int port, int masterPort, string[] extraLines)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_directory, "sentinel-" + RedisTools.Invariant(port))).FullName;
        var config = Path.Combine(directory, "sentinel.conf");
        string[] hostnames = _announceHostnames ? ["sentinel resolve-hostnames yes", "sentinel announce-hostnames yes"] : [];
        File.WriteAllLines(config,
        [
            $"port {RedisTools.Invariant(port)}",
            "bind 127.0.0.1",
            "protected-mode no",
            $"dir {directory}",
            .. hostnames,
            $"sentinel monitor {ServiceName} {(_announceHostnames ? "localhost" : "127.0.0.1")} {RedisTools.Invariant(masterPort)} 2",
            $"sentinel down-after-milliseconds {ServiceName} 1000",
            $"sentinel failover-timeout {ServiceName} 5000",
            $"sentinel parallel-syncs {ServiceName} 1",
            .. extraLines,
        ]);
        return config;
    }
}
