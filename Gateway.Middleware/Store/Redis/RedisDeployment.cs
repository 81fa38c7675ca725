using Gateway.Middleware.Store.Redis.Sentinel;

namespace Gateway.Middleware.Store.Redis;

/// <summary>What kind of Redis deployment the store's connection reaches.</summary>
internal enum RedisDeployment
{
    /// <summary>No server has answered yet (Redis was unreachable so far).</summary>
    Unknown,

    /// <summary>One server (or a proxy in front of several).</summary>
    Standalone,

    /// <summary>The master that Redis Sentinel names, followed by <see cref="SentinelMasterConnection"/>.</summary>
    Sentinel,

    /// <summary>Redis Cluster: one script may touch one hash slot only, and only database 0 exists.</summary>
    Cluster,
}
