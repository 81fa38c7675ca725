using Yarp.ReverseProxy.Configuration;

namespace Gateway.Middleware.Routing;

/// <summary>
/// Makes a gated route match its path for every method, and remembers the methods it was written with. Routing
/// then never lets another method on a gated path fall through to a catch-all (the legacy app's own view would run,
/// ungated: Django answers HEAD with its GET handler); the gate answers it 405 with <c>Allow</c> instead.
/// </summary>
internal sealed class GatedRouteMethodsFilter : IProxyConfigFilter
{
    /// <summary>The metadata key, set by this filter only, that holds the route's own methods, comma-separated.</summary>
    public const string AllowedMethodsMetadata = "SmsCodeGate.AllowedMethods";

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => ValueTask.FromResult(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(route);
        var metadata = route.Metadata;
        if (!SmsCodeGateMetadata.IsGated(metadata))
        {
            return ValueTask.FromResult(route);
        }

        var methods = route.Match.Methods;
        var withMethods = new Dictionary<string, string>(metadata!, StringComparer.OrdinalIgnoreCase)
        {
            // Written even when empty, so that a value put there by hand cannot widen what the route accepts.
            [AllowedMethodsMetadata] = methods is { Count: > 0 } ? string.Join(", ", methods.Select(m => m.ToUpperInvariant())) : string.Empty,
        };
        return ValueTask.FromResult(route with { Match = route.Match with { Methods = null }, Metadata = withMethods });
    }

    /// <summary>True when <paramref name="allowed"/> (the route's own methods, comma-separated; empty = any) lists <paramref name="method"/>.</summary>
    internal static bool IsAllowed(string method, string allowed)
    {
        if (allowed.Length == 0)
        {
            return true;
        }

        foreach (var range in allowed.AsSpan().Split(','))
        {
            if (allowed.AsSpan()[range].Trim().Equals(method, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
