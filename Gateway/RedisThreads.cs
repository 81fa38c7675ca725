using StackExchange.Redis;

namespace Gateway;

/// <summary>
/// StackExchange.Redis's threading, a process-wide choice made before the first connection. By default (kept) the
/// library reads with async socket I/O and completes each call on the global thread pool. The runtime switch
/// <see cref="DedicatedThreadsSwitch"/> set to <c>true</c> (in <c>Gateway.runtimeconfig.json</c>'s
/// <c>configProperties</c>) turns on its <c>DedicatedThreads</c> feature flag instead, a reader and a writer thread of
/// its own per connection: for measuring one against the other, not a setting for operators.
/// </summary>
internal static class RedisThreads
{
    /// <summary>The runtime switch that asks for the library's own threads.</summary>
    public const string DedicatedThreadsSwitch = "Gateway.Redis.DedicatedThreads";

    /// <summary>Applies the switch; call before the gateway connects to Redis.</summary>
    public static void Apply()
    {
        if (AppContext.TryGetSwitch(DedicatedThreadsSwitch, out var dedicated) && dedicated)
        {
            ConnectionMultiplexer.SetFeatureFlag("DedicatedThreads", true);
        }
    }
}
