namespace Gateway.Tests.Common.Redis;

/// <summary>
/// The faults a test injects into a <see cref="RedisSentinelGroup"/>: a sentinel pointed at another node, a stale
/// sentinel held at the old configuration, master lookups denied, a former master that cannot be demoted, a replica
/// promoted behind the sentinels' backs.
/// </summary>
public sealed class SentinelFaults
{
    private const string StaleSentinelUser = "stale-sentinel";
    private const string StaleSentinelPassword = "stale-sentinel-password";
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(30);
    private readonly RedisSentinelGroup _group;

    internal SentinelFaults(RedisSentinelGroup group)
    {
        _group = group;
    }

    /// <summary>
    /// Makes the sentinel on <paramref name="sentinelPort"/> name the data node on <paramref name="dataPort"/> as the
    /// master (<c>SENTINEL REMOVE</c>, then <c>SENTINEL MONITOR</c>): a stale or wrong sentinel answer. The other
    /// sentinels keep the real master; with no failover yet every config epoch is 0, so none corrects the other.
    /// </summary>
    public async Task PointSentinelAtAsync(int sentinelPort, int dataPort)
    {
        var sentinel = _group.SentinelServer(sentinelPort);
        await sentinel.ExecuteAsync("SENTINEL", "REMOVE", RedisSentinelGroup.ServiceName);
        await sentinel.ExecuteAsync("SENTINEL", "MONITOR", RedisSentinelGroup.ServiceName, "127.0.0.1", RedisTools.Invariant(dataPort), "2");
        var reported = RedisSentinelGroup.PortOf(await sentinel.SentinelGetMasterAddressByNameAsync(RedisSentinelGroup.ServiceName));
        if (reported != dataPort)
        {
            throw new InvalidOperationException($"Sentinel {sentinelPort} reports master {reported} after MONITOR {dataPort}.");
        }
    }

    /// <summary>
    /// Denies (or allows again) <c>SENTINEL GET-MASTER-ADDR-BY-NAME</c> to the default user on every sentinel: the
    /// sentinels stay up and connected, but every master lookup is answered NOPERM.
    /// </summary>
    public async Task DenyMasterLookupsAsync(bool deny)
    {
        foreach (var sentinel in _group.SentinelPorts)
        {
            await _group.SentinelServer(sentinel).ExecuteAsync("ACL", "SETUSER", "default", (deny ? "-" : "+") + "sentinel|get-master-addr-by-name");
        }
    }

    /// <summary>
    /// Starts a sentinel outside the group that monitors the current master as <see cref="RedisSentinelGroup.ServiceName"/> and cannot learn
    /// a newer configuration: it reaches the data nodes as a user that may use no pub/sub channel, so it neither hears
    /// nor sends the hello messages through which sentinels find each other and spread a failover's configuration (the
    /// group's sentinels never learn of it), and that may not reconfigure a node (REPLICAOF, CONFIG), so it cannot demote
    /// the new master either. After a failover it goes on naming the old master at the old config epoch: a sentinel that
    /// has not heard of the failover yet, held in that state. Returns its port; the group stops it.
    /// </summary>
    public async Task<int> StartStaleSentinelAsync()
    {
        foreach (var dataPort in _group.DataPorts)
        {
            await _group.DataServer(dataPort).ExecuteAsync("ACL", "SETUSER", StaleSentinelUser, "reset", "on", ">" + StaleSentinelPassword,
                "~*", "resetchannels", "+@all", "-replicaof", "-slaveof", "-config", "-failover", "-shutdown", "-client|kill");
        }

        var master = await _group.MasterPortAsync();
        var stale = await _group.StartSentinelAsync(master,
        [
            $"sentinel auth-user {RedisSentinelGroup.ServiceName} {StaleSentinelUser}",
            $"sentinel auth-pass {RedisSentinelGroup.ServiceName} {StaleSentinelPassword}",

            // It must go on naming the old master: with the group's 1 s, a loaded machine can make it see the old master
            // down for a moment, and a sentinel that sees its master down names none.
            $"sentinel down-after-milliseconds {RedisSentinelGroup.ServiceName} 60000",
        ]);
        var port = stale.Port;
        await RedisTools.WaitUntilAsync($"The stale sentinel {port} monitoring {master}", FormTimeout, async () =>
        {
            // Its pub/sub link shows as disconnected (the hello channel is denied); the master must not be down to it.
            var (reported, _, flags) = await RedisSentinelGroup.SentinelViewAsync(port);
            var down = flags.Split(',').Intersect(["s_down", "o_down"]).Any();
            return reported == master && !down ? null : $"it reports master {reported}, flags {flags}";
        });
        return port;
    }

    /// <summary>
    /// Denies <c>REPLICAOF</c>/<c>SLAVEOF</c> to the default user on the data node on <paramref name="port"/>, so that
    /// the sentinels cannot demote it after a failover: it goes on answering <c>ROLE</c> as master, as a former master
    /// does until its sentinels reach it (about 10 s here), for as long as the test needs.
    /// </summary>
    public async Task DenyDemotionAsync(int port)
    {
        await _group.DataServer(port).ExecuteAsync("ACL", "SETUSER", "default", "-replicaof", "-slaveof");
    }

    /// <summary>Makes the data node on <paramref name="port"/> a master (<c>REPLICAOF NO ONE</c>) behind the sentinels' backs.</summary>
    public async Task PromoteAsync(int port)
    {
        await _group.DataServer(port).ExecuteAsync("REPLICAOF", "NO", "ONE");
        var role = (await _group.DataServer(port).RoleAsync()).Value;
        if (role != "master")
        {
            throw new InvalidOperationException($"{port} answers ROLE {role} after REPLICAOF NO ONE.");
        }
    }
}
