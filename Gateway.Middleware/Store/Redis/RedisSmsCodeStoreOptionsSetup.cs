using Gateway.Middleware.Policies;
using Microsoft.Extensions.Options;

namespace Gateway.Middleware.Store.Redis;

/// <summary>Fills the Redis store's settings from the gate's options, the one place they are set.</summary>
internal sealed class RedisSmsCodeStoreOptionsSetup : IConfigureOptions<RedisSmsCodeStoreOptions>
{
    private readonly IOptions<SmsCodeGateOptions> _gate;

    public RedisSmsCodeStoreOptionsSetup(IOptions<SmsCodeGateOptions> gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        _gate = gate;
    }

    public void Configure(RedisSmsCodeStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var gate = _gate.Value;
        options.Configuration = gate.Redis;
        options.ConfigurationOptions = gate.RedisConfigurationOptions;
        options.ConnectionMultiplexerFactory = gate.RedisConnectionMultiplexerFactory;
        options.StoreTimeout = gate.StoreTimeout;
        options.StoreBreakDuration = gate.StoreBreakDuration;
    }
}
