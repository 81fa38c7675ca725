using Yarp.ReverseProxy.Configuration;

namespace Gateway.ProxyConfiguration;

/// <summary>
/// Refuses a reloaded route or cluster whose section has a key YARP does not read: YARP then keeps the last good
/// configuration and logs why, as for its own errors. (At start-up the whole section is checked before YARP reads it,
/// see <see cref="ProxyConfigurationExtensions.CheckStrictly"/>.)
/// </summary>
internal sealed class StrictProxyConfigFilter : IProxyConfigFilter
{
    private readonly IConfiguration _reverseProxy;

    public StrictProxyConfigFilter(IConfiguration reverseProxy)
    {
        ArgumentNullException.ThrowIfNull(reverseProxy);
        _reverseProxy = reverseProxy;
    }

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ThrowIfAny(ProxyConfigurationShape.CheckCluster(_reverseProxy, cluster.ClusterId));
        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(route);
        ThrowIfAny(ProxyConfigurationShape.CheckSections(_reverseProxy).Concat(ProxyConfigurationShape.CheckRoute(_reverseProxy, route.RouteId)));
        return ValueTask.FromResult(route);
    }

    private static void ThrowIfAny(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        if (list.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, list));
        }
    }
}
