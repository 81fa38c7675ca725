using Gateway.Middleware.Configuration;
using Gateway.Middleware.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Middleware.Health;

/// <summary>
/// Ready exactly when the gate would not answer 503 for its store: the breaker is closed, the store answers a ping
/// within the store timeout (behind Sentinel: a master is known and no failover runs), and no policy was found
/// unable to run on the store. An open breaker is reported as it is, without a ping that would close it early.
/// </summary>
internal sealed class SmsCodeStoreHealthCheck : IHealthCheck
{
    private readonly ISmsCodeStore _store;
    private readonly StoreCircuitBreaker _breaker;
    private readonly SmsCodePolicyRegistry _policies;

    public SmsCodeStoreHealthCheck(ISmsCodeStore store, StoreCircuitBreaker breaker, SmsCodePolicyRegistry policies)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(breaker);
        ArgumentNullException.ThrowIfNull(policies);
        _store = store;
        _breaker = breaker;
        _policies = policies;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_breaker.IsOpen)
        {
            return HealthCheckResult.Unhealthy("The store failed moments ago; the gate answers 503 until its break is over.");
        }

        if (_policies.Rejections.Count > 0)
        {
            return HealthCheckResult.Unhealthy($"Policies that cannot run on this store: {string.Join(", ", _policies.Rejections.Keys)}.");
        }

        try
        {
            await _store.PingAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy(_store.IsShared ? "Redis answers." : "In-process store (not shared between instances).");
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
