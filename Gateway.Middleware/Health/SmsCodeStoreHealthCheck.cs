using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Middleware.Health;

/// <summary>
/// Ready exactly when the gate would not answer 503 for its store: the breaker is closed, the store answers a ping
/// within the store timeout (behind Sentinel: a master is known and no failover runs), and no policy was found
/// unable to run on the store. An open breaker is reported as it is, without a ping that would close it early.
/// A failure is logged here, through the gate's log throttle (<see cref="StoreOutageLog"/>); ASP.NET Core's own line
/// for every unhealthy probe is left out (<see cref="HealthCheckServiceLogger{T}"/>).
/// </summary>
internal sealed class SmsCodeStoreHealthCheck : IHealthCheck
{
    private readonly ISmsCodeStore _store;
    private readonly StoreCircuitBreaker _breaker;
    private readonly SmsCodePolicyRegistry _policies;
    private readonly StoreOutageLog _outageLog;

    public SmsCodeStoreHealthCheck(ISmsCodeStore store, StoreCircuitBreaker breaker, SmsCodePolicyRegistry policies, StoreOutageLog outageLog)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(breaker);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(outageLog);
        _store = store;
        _breaker = breaker;
        _policies = policies;
        _outageLog = outageLog;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (result, storeFailed) = await CheckStoreAsync(cancellationToken).ConfigureAwait(false);
        if (result.Status != HealthStatus.Healthy)
        {
            _outageLog.NotReady(context.Registration.Name, result.Description ?? "", storeFailed);
        }

        return result;
    }

    private async Task<(HealthCheckResult Result, bool StoreFailed)> CheckStoreAsync(CancellationToken cancellationToken)
    {
        if (_breaker.IsOpen)
        {
            return (HealthCheckResult.Unhealthy("The store failed moments ago; the gate answers 503 until its break is over."), true);
        }

        if (_policies.Rejections.Count > 0)
        {
            return (HealthCheckResult.Unhealthy($"Policies that cannot run on this store: {string.Join(", ", _policies.Rejections.Keys)}."), false);
        }

        try
        {
            await _store.PingAsync(cancellationToken).ConfigureAwait(false);
            return (HealthCheckResult.Healthy(_store.IsShared ? "Redis answers." : "In-process store (not shared between instances)."), false);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            return (HealthCheckResult.Unhealthy(ex.Message), true);
        }
    }
}
