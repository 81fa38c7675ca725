using Gateway.Middleware.Policies;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// Configures the process's Redis connection so that an outage fails fast: start-up does
/// not wait for Redis and commands are not queued while disconnected. The library's own timeout is kept well above
/// the gate's, which the store enforces itself: a call the gate gave up on still reports its real outcome, so that
/// a late issue can be revoked.
/// </summary>
internal static class RedisConnectionFactory
{
    private const double LibraryTimeoutFactor = 5;
    private const double MinLibraryTimeoutMilliseconds = 5000;

    /// <summary>The store's connection options (parsed from its configuration string if need be) with the gate's fail-fast settings.</summary>
    public static ConfigurationOptions CreateOptions(RedisSmsCodeStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigurationOptions configuration;
        try
        {
            configuration = options.ConfigurationOptions?.Clone() ?? ConfigurationOptions.Parse(RedisUnixSocket.Normalize(options.Configuration!));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
        {
            throw new InvalidOperationException(
                $"{SmsCodeGateOptions.SectionName}:{nameof(SmsCodeGateOptions.Redis)} is not a valid StackExchange.Redis configuration string: {ex.Message}", ex);
        }

        if (RedisUnixSocket.Problem(configuration, $"{SmsCodeGateOptions.SectionName}:{nameof(SmsCodeGateOptions.Redis)}") is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var timeoutMilliseconds = (int)Math.Ceiling(Math.Max(options.StoreTimeout.TotalMilliseconds * LibraryTimeoutFactor, MinLibraryTimeoutMilliseconds));
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.AsyncTimeout = timeoutMilliseconds;
        configuration.SyncTimeout = timeoutMilliseconds;
        configuration.ClientName ??= "sms-code-gateway";

        // No SocketManager: StackExchange.Redis 3.x ignores it (obsolete, "no longer used"); it reads with async socket
        // I/O and runs each reply's continuation on the global thread pool, one hop per call and no dedicated threads,
        // which on two cores is what we want. Its opt-in DedicatedThreads flag (a reader and a writer thread per
        // connection) is left off: measured side by side on 2 cores it served fewer sends (docs/runtime.md).
        return configuration;
    }
}
