using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// The Redis store's settings, read once at start-up, all from the gate's options (<see cref="RedisSmsCodeStoreOptionsSetup"/>).
/// The connection is the first of: <see cref="ConnectionMultiplexerFactory"/> (an application's own multiplexer),
/// <see cref="ConfigurationOptions"/>, <see cref="Configuration"/>.
/// </summary>
internal sealed class RedisSmsCodeStoreOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>, or sentinels with <c>serviceName=</c>.</summary>
    public string? Configuration { get; set; }

    /// <summary>The connection's options, used in place of <see cref="Configuration"/> when set.</summary>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>Gives the connection to use, so that an application can share its own multiplexer; the gate does not dispose it.</summary>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>How long one store call may take before the request is answered 503. Default 1 s.</summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After a store failure, how long requests are answered 503 at once. Default 2 s.</summary>
    public TimeSpan StoreBreakDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>True when any of the connection's sources is set.</summary>
    internal bool HasConnection =>
        ConnectionMultiplexerFactory is not null || ConfigurationOptions is not null || !string.IsNullOrWhiteSpace(Configuration);
}
