using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// Warns, once each, about configuration that is legal but likely wrong, when YARP has applied it: a policy that no
/// route names (a route meant for it may be misspelt or missing), and a gated route without a client rate limit
/// (<c>RateLimiterPolicy</c>), which leaves a client free to spread sends or guesses over many mobiles.
/// </summary>
internal sealed partial class GateConfigurationWarnings : IConfigChangeListener
{
    private readonly SmsCodePolicyRegistry _policies;
    private readonly ILogger<GateConfigurationWarnings> _logger;
    private readonly HashSet<string> _warned = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    public GateConfigurationWarnings(SmsCodePolicyRegistry policies, ILogger<GateConfigurationWarnings> logger)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(logger);
        _policies = policies;
        _logger = logger;
    }

    public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
        ArgumentNullException.ThrowIfNull(proxyConfigs);
        var routes = proxyConfigs.SelectMany(config => config.Routes ?? []).ToList();
        var named = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        lock (_lock)
        {
            foreach (var route in routes)
            {
                var roles = SmsCodeGateMetadata.Roles.Where(role => route.Metadata?.ContainsKey(role) == true).ToList();
                named.UnionWith(roles.Select(role => route.Metadata![role]));
                if (roles.Count > 0 && string.IsNullOrWhiteSpace(route.RateLimiterPolicy) && _warned.Add("route:" + route.RouteId))
                {
                    Log.GatedRouteWithoutRateLimit(_logger, route.RouteId);
                }
            }

            foreach (var policy in _policies.Names.Where(name => !named.Contains(name)))
            {
                if (_warned.Add("policy:" + policy))
                {
                    Log.PolicyUnused(_logger, policy);
                }
            }
        }
    }

    public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception)
    {
    }

    public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
    }

    public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception)
    {
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.PolicyUnused, LogLevel.Warning, "SmsCodeGate:Policies:{Policy} is named by no route (no route's Metadata:SmsCodePolicy, SmsVerifyPolicy or SmsVerifyEndpoint), so it gates nothing; check the route meant for it, or remove the policy.", EventName = nameof(EventIds.PolicyUnused))]
        public static partial void PolicyUnused(ILogger logger, string policy);

        [LoggerMessage(EventIds.GatedRouteWithoutRateLimit, LogLevel.Warning, "ReverseProxy:Routes:{Route}:RateLimiterPolicy is not set on a gated route: no client rate limit, so one client may spread sends or guesses over many mobiles; name a ClientRateLimiting policy (or Disable, to say so).", EventName = nameof(EventIds.GatedRouteWithoutRateLimit))]
        public static partial void GatedRouteWithoutRateLimit(ILogger logger, string route);
    }
}
