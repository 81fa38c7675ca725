using Yarp.ReverseProxy.Configuration;

namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// Checks each route against its cluster, the one place YARP shows both: a <c>ClusterId</c> must name a cluster; a
/// cluster marked <c>SmsProvider</c> is reached only through the gate (a send route or the verify endpoint); a send
/// route's cluster is so marked, unless the route says <c>SmsProviderUnmarked: allow</c>. A route that fails is
/// refused: start-up fails, and a reload keeps the last good configuration (YARP logs why).
/// </summary>
internal sealed class ProviderClusterFilter : IProxyConfigFilter
{
    private readonly Lock _lock = new();

    // The clusters of the configuration being applied. YARP configures every cluster, then every route, one
    // configuration at a time; it hands a route no cluster when its cluster was refused for its own mistakes, which
    // are reported already: that route is not reported again as naming no cluster.
    private readonly HashSet<string> _clusters = new(StringComparer.OrdinalIgnoreCase);
    private bool _routesBegun;

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        lock (_lock)
        {
            if (_routesBegun)
            {
                _clusters.Clear();
                _routesBegun = false;
            }

            _clusters.Add(cluster.ClusterId);
        }

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(route);
        bool defined;
        lock (_lock)
        {
            _routesBegun = true;
            defined = route.ClusterId is not null && _clusters.Contains(route.ClusterId);
        }

        if (Mistake(route, cluster, defined) is { } mistake)
        {
            throw new ArgumentException(mistake);
        }

        return ValueTask.FromResult(route);
    }

    private static string? Mistake(RouteConfig route, ClusterConfig? cluster, bool defined)
    {
        var owner = $"Route '{route.RouteId}'";
        if (cluster is null)
        {
            // YARP would answer every request on the route 503 with an empty body, and log nothing at warning.
            return string.IsNullOrEmpty(route.ClusterId) || defined
                ? null
                : $"{owner}: ClusterId '{route.ClusterId}' names no cluster; define it under ReverseProxy:Clusters or fix the id.";
        }

        var metadata = route.Metadata ?? new Dictionary<string, string>();
        var sends = metadata.ContainsKey(SmsCodeGateMetadata.PolicyName);
        var answers = metadata.ContainsKey(SmsCodeGateMetadata.VerifyEndpointName);
        var guardsVerify = metadata.ContainsKey(SmsCodeGateMetadata.VerifyPolicyName);
        var provider = $"cluster '{cluster.ClusterId}', an SMS provider (Metadata:{SmsCodeGateMetadata.ProviderClusterName})";
        if (ClusterMetadataValidator.IsProvider(cluster))
        {
            if (guardsVerify)
            {
                return $"{owner}: Metadata:{SmsCodeGateMetadata.VerifyPolicyName} forwards verify attempts to the app, but its ClusterId names {provider}; point it at the app's cluster.";
            }

            if (!sends && !answers)
            {
                var misspelt = metadata.Keys.Select(key => GateMetadataKeys.Mistake(owner, key, GateMetadataKeys.Route)).FirstOrDefault(m => m is not null);
                return $"{owner} reaches {provider} ungated: name its policy with Metadata:{SmsCodeGateMetadata.PolicyName}, or point ClusterId at another cluster."
                    + (misspelt is null ? string.Empty : " " + misspelt);
            }

            return null;
        }

        if (sends && !metadata.TryGetValue(SmsCodeGateMetadata.ProviderUnmarkedName, out _))
        {
            return $"{owner}: Metadata:{SmsCodeGateMetadata.PolicyName} sends codes to cluster '{cluster.ClusterId}', which is not marked as an SMS provider; add \"Metadata\": {{ \"{SmsCodeGateMetadata.ProviderClusterName}\": \"true\" }} to ReverseProxy:Clusters:{cluster.ClusterId} (or \"{SmsCodeGateMetadata.ProviderUnmarkedName}\": \"{SmsCodeGateMetadata.ProviderUnmarkedAllow}\" to the route's Metadata).";
        }

        return null;
    }
}
