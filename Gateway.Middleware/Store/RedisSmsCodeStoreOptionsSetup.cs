using Gateway.Middleware.Policies;
using Microsoft.Extensions.Options;

namespace Gateway.Middleware.Store;

/// <summary>
/// Fills the Redis store's options from the gate's <c>SmsCodeGate</c> section, first: an application's own
/// <c>AddRedisSmsCodeStore(options =&gt; ...)</c> runs after this and has the last word.
/// </summary>
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
        options.StoreTimeout = gate.StoreTimeout;
        options.StoreBreakDuration = gate.StoreBreakDuration;
    }
}
