using Gateway.Shared;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.ProxyConfiguration;

/// <summary>
/// YARP's <c>ReverseProxy</c> section checked as strictly as the gateway's own: YARP reads the keys it knows and
/// ignores the rest, so <c>"Orderr": 1</c> would start as a route without its order. The known keys are those of
/// <see cref="RouteConfig"/> and <see cref="ClusterConfig"/> (and the types under them), by reflection, at every
/// depth YARP reads; <c>Metadata</c> is free-form, and <c>Transforms</c> YARP checks itself.
/// </summary>
internal static class ProxyConfigurationShape
{
    private static readonly string[] Sections = [RoutesKey, ClustersKey];

    public const string RoutesKey = "Routes";
    public const string ClustersKey = "Clusters";

    /// <summary>Every mistake in the section, one line each naming its key; empty when there is none.</summary>
    public static IEnumerable<string> Check(IConfiguration reverseProxy)
    {
        ArgumentNullException.ThrowIfNull(reverseProxy);
        return CheckSections(reverseProxy)
            .Concat(reverseProxy.GetSection(RoutesKey).GetChildren().SelectMany(route => CheckRoute(reverseProxy, route.Key)))
            .Concat(reverseProxy.GetSection(ClustersKey).GetChildren().SelectMany(cluster => CheckCluster(reverseProxy, cluster.Key)));
    }

    /// <summary>The mistakes under <c>Routes:&lt;id&gt;</c>.</summary>
    public static IEnumerable<string> CheckRoute(IConfiguration reverseProxy, string routeId) =>
        ConfigurationShape.Check(reverseProxy.GetSection(RoutesKey).GetSection(routeId), typeof(RouteConfig), nameof(RouteConfig.RouteId));

    /// <summary>The mistakes under <c>Clusters:&lt;id&gt;</c>.</summary>
    public static IEnumerable<string> CheckCluster(IConfiguration reverseProxy, string clusterId) =>
        ConfigurationShape.Check(reverseProxy.GetSection(ClustersKey).GetSection(clusterId), typeof(ClusterConfig), nameof(ClusterConfig.ClusterId));

    /// <summary>The keys beside <c>Routes</c> and <c>Clusters</c>, which YARP would ignore.</summary>
    public static IEnumerable<string> CheckSections(IConfiguration reverseProxy) =>
        reverseProxy.GetChildren()
            .Where(child => !Sections.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            .Select(child => $"{child.Path} is not a setting{DidYouMean.Suffix(child.Key, Sections)}.");
}
