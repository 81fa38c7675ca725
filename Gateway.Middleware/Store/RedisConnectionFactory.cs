using Gateway.Middleware.Configuration;
using StackExchange.Redis;

namespace Gateway.Middleware.Store;

/// <summary>
/// Opens the process's one <see cref="ConnectionMultiplexer"/>, tuned so that an outage fails fast: start-up does
/// not wait for Redis, commands are not queued while disconnected, and the library's own timeout matches the gate's.
/// </summary>
internal static class RedisConnectionFactory
{
    public static IConnectionMultiplexer Connect(SmsCodeGateOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = ConfigurationOptions.Parse(options.Redis!);
        var timeoutMilliseconds = (int)Math.Ceiling(options.StoreTimeout.TotalMilliseconds);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.AsyncTimeout = timeoutMilliseconds;
        configuration.SyncTimeout = timeoutMilliseconds;
        configuration.ClientName ??= "sms-code-gateway";
        return ConnectionMultiplexer.Connect(configuration, log);
    }
}
