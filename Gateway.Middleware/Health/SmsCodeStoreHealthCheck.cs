using Gateway.Middleware.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Middleware.Health;

/// <summary>Ready when the code store answers a ping within the store timeout.</summary>
internal sealed class SmsCodeStoreHealthCheck : IHealthCheck
{
    private readonly ISmsCodeStore _store;

    public SmsCodeStoreHealthCheck(ISmsCodeStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
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
