namespace Gateway.Tests.Common.Redis;

/// <summary>The configuration file of a test sentinel: quorum 2, down after 1 s, failover timeout 5 s.</summary>
public static class SentinelConfigFile
{
    /// <summary>
    /// Writes <c>sentinel.conf</c> into <paramref name="directory"/> for a sentinel on <paramref name="port"/> monitoring
    /// the master on <paramref name="masterPort"/> as <paramref name="serviceName"/> (by the name <c>localhost</c> with
    /// <paramref name="announceHostnames"/>), then <paramref name="extraLines"/>; returns its path.
    /// </summary>
    public static string Write(string directory, int port, string serviceName, int masterPort, bool announceHostnames, IEnumerable<string> extraLines)
    {
        var config = Path.Combine(directory, "sentinel.conf");
        string[] hostnames = announceHostnames ? ["sentinel resolve-hostnames yes", "sentinel announce-hostnames yes"] : [];
        File.WriteAllLines(config,
        [
            $"port {RedisTools.Invariant(port)}",
            "bind 127.0.0.1",
            "protected-mode no",
            $"dir {directory}",
            .. hostnames,
            $"sentinel monitor {serviceName} {(announceHostnames ? "localhost" : "127.0.0.1")} {RedisTools.Invariant(masterPort)} 2",
            $"sentinel down-after-milliseconds {serviceName} 1000",
            $"sentinel failover-timeout {serviceName} 5000",
            $"sentinel parallel-syncs {serviceName} 1",
            .. extraLines,
        ]);
        return config;
    }
}
