using System.Diagnostics;
using System.Net;
using StackExchange.Redis;

namespace Gateway.Tests.Common.Redis;

/// <summary>
/// A real Redis Cluster on loopback: three masters with one replica each, six <c>redis-server</c> processes without
/// persistence, each in its own temporary directory, formed with <c>redis-cli --cluster create</c>. A master can be
/// failed over to its replica (<c>CLUSTER FAILOVER</c>) or killed while the gateway runs.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private const int MasterCount = 3;
    private const int NodeCount = MasterCount * 2;
    private const int SlotCount = 16384;
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(20);
    private readonly RedisNodes _group = RedisNodes.Create("redis-cluster-");
    private readonly HashSet<int> _killed = [];
    private ConnectionMultiplexer? _admin;

    private IReadOnlyList<RedisProcess> Nodes => _group.Processes;

    /// <summary>All six endpoints, comma-separated: the gateway's <c>SmsCodeGate:Redis</c>.</summary>
    public string ConnectionString => string.Join(",", Nodes.Select(node => node.EndPoint));

    /// <summary>A cluster-aware connection for assertions and administration (it follows MOVED like the gateway's).</summary>
    public ConnectionMultiplexer Admin => _admin ?? throw new InvalidOperationException("The cluster has not formed.");

    /// <summary>Starts six nodes, forms the cluster and waits until every node reports it whole and every replica in sync.</summary>
    public static Task<RedisCluster> StartNewAsync() => RedisNodes.FormOrDisposeAsync(new RedisCluster(), cluster => cluster.FormAsync());

    /// <summary>The hash slot of <paramref name="key"/> (its hash tag's, when it has one).</summary>
    public int HashSlot(RedisKey key) => Admin.HashSlot(key);

    /// <summary>The cluster's current configuration as a node reports it (<c>CLUSTER NODES</c>), not the connection's cached one.</summary>
    public async Task<ClusterConfiguration> TopologyAsync()
    {
        Exception? last = null;
        foreach (var node in LiveNodes)
        {
            try
            {
                return await Server(node.Port).ClusterNodesAsync() ?? throw new InvalidOperationException($"{node.EndPoint} returned no cluster configuration.");
            }
            catch (RedisException ex)
            {
                last = ex;
            }
        }

        throw new InvalidOperationException("No cluster node answered CLUSTER NODES.", last);
    }

    /// <summary>The master that serves <paramref name="key"/>'s slot now.</summary>
    public async Task<EndPoint> MasterForAsync(RedisKey key) => MasterOf(await TopologyAsync(), HashSlot(key)).EndPoint!;

    /// <summary>The server at <paramref name="endPoint"/>, through <see cref="Admin"/>.</summary>
    public IServer Server(EndPoint endPoint) => Admin.GetServer(endPoint);

    /// <summary>
    /// Fails the master of <paramref name="key"/>'s slot over to its replica with <c>CLUSTER FAILOVER</c> (the
    /// coordinated kind: the master stops taking writes until the replica has caught up), and waits until the two have
    /// switched roles and every node maps the slot to the new master. Returns how long that took.
    /// </summary>
    public async Task<TimeSpan> FailoverAsync(RedisKey key)
    {
        var (slot, master, replica) = await MasterAndReplicaAsync(key);
        var watch = Stopwatch.StartNew();
        await Server(replica.EndPoint!).ExecuteAsync("CLUSTER", "FAILOVER");
        await WaitUntilPromotedAsync(slot, master, replica, oldMasterAlive: true);
        return watch.Elapsed;
    }

    /// <summary>
    /// Kills the master of <paramref name="key"/>'s slot (a crash: no shutdown, no hand-over) and waits until the
    /// cluster has noticed (after the node timeout, 2 s), promoted its replica, and every surviving node maps the slot
    /// to it. Returns how long that took. The killed node stays down.
    /// </summary>
    public async Task<TimeSpan> KillMasterAsync(RedisKey key)
    {
        var (slot, master, replica) = await MasterAndReplicaAsync(key);
        var watch = Stopwatch.StartNew();
        await Nodes.Single(node => node.Port == RedisNodes.PortOf(master.EndPoint)).KillAsync();
        _killed.Add(RedisNodes.PortOf(master.EndPoint));
        await WaitUntilPromotedAsync(slot, master, replica, oldMasterAlive: false);
        return watch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        await _group.DisposeAsync();
    }

    private static ClusterNode MasterOf(ClusterConfiguration topology, int slot) =>
        topology.GetBySlot(slot) ?? throw new InvalidOperationException($"No master serves slot {slot}.");

    private IServer Server(int port) => Admin.GetServer("127.0.0.1", port);

    private IEnumerable<RedisProcess> LiveNodes => Nodes.Where(node => !_killed.Contains(node.Port));

    private async Task<(int Slot, ClusterNode Master, ClusterNode Replica)> MasterAndReplicaAsync(RedisKey key)
    {
        var slot = HashSlot(key);
        var topology = await TopologyAsync();
        var master = MasterOf(topology, slot);
        var replica = topology.Nodes.FirstOrDefault(node => node.ParentNodeId == master.NodeId)
            ?? throw new InvalidOperationException($"The master {master.EndPoint} of slot {slot} has no replica.");
        await RedisTools.WaitUntilAsync($"Replica {replica.EndPoint} in sync before the failover", FailoverTimeout, () => RedisNodes.ReplicaNotInSyncAsync(Server(replica.EndPoint!)));
        return (slot, master, replica);
    }

    private Task WaitUntilPromotedAsync(int slot, ClusterNode master, ClusterNode replica, bool oldMasterAlive) =>
        RedisTools.WaitUntilAsync($"Failover of slot {slot} from {master.EndPoint} to {replica.EndPoint}", FailoverTimeout, async () =>
        {
            var newRole = (await Server(replica.EndPoint!).RoleAsync()).Value;
            var oldRole = oldMasterAlive ? (await Server(master.EndPoint!).RoleAsync()).Value : "down";
            if (newRole != "master" || oldRole == "master")
            {
                return $"roles: {replica.EndPoint} {newRole}, {master.EndPoint} {oldRole}";
            }

            foreach (var node in LiveNodes)
            {
                var view = await Server(node.Port).ClusterNodesAsync();
                var owner = view?.GetBySlot(slot);
                if (owner?.NodeId != replica.NodeId)
                {
                    return $"{node.EndPoint} still maps slot {slot} to {owner?.EndPoint}";
                }
            }

            return null;
        });

    private async Task FormAsync()
    {
        for (var i = 0; i < NodeCount; i++)
        {
            await _group.StartDataNodeAsync(port =>
            [
                // The cluster bus port is found free too: when it is taken the node exits as for its own port, and starts again on others.
                "--cluster-enabled", "yes",
                "--cluster-port", RedisTools.Invariant(FreePort.Next()),
                "--cluster-config-file", Path.Combine(_group.Subdirectory(RedisTools.Invariant(port)), "nodes.conf"),
                "--cluster-node-timeout", "2000",
            ]);
        }

        await RedisTools.RunCliAsync(FormTimeout,
            ["--cluster", "create", .. Nodes.Select(node => node.EndPoint), "--cluster-replicas", "1", "--cluster-yes"]);

        _admin = await RedisNodes.ConnectAdminAsync(Nodes.Select(node => node.Port));
        await RedisTools.WaitUntilAsync("The cluster forming", FormTimeout, NotFormedYetAsync);
        await _admin.ConfigureAsync();
    }

    private async Task<string?> NotFormedYetAsync()
    {
        foreach (var node in Nodes)
        {
            var server = Server(node.Port);
            var info = (string?)await server.ExecuteAsync("CLUSTER", "INFO") ?? "";
            var state = RedisTools.InfoField(info, "cluster_state");
            var slotsOk = RedisTools.InfoField(info, "cluster_slots_ok");
            var known = RedisTools.InfoField(info, "cluster_known_nodes");
            var size = RedisTools.InfoField(info, "cluster_size");
            if (state != "ok" || slotsOk != RedisTools.Invariant(SlotCount) || known != RedisTools.Invariant(NodeCount) || size != RedisTools.Invariant(MasterCount))
            {
                return $"{node.EndPoint}: state {state}, slots ok {slotsOk}, known nodes {known}, size {size}";
            }

            if (await RedisNodes.ReplicaNotInSyncAsync(server) is { } notInSync)
            {
                return notInSync;
            }
        }

        return null;
    }
}
