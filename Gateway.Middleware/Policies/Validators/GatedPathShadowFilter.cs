using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// Refuses an ungated route that takes a gated route's requests: one whose path matches the gated path and that
/// routing tries first (a lower <c>Order</c>, or the same and a path as specific or more: a literal or a constrained
/// parameter where the gated path has a plain one), or any that matches it when the gated route is narrowed by <c>Hosts</c>, <c>Headers</c> or
/// <c>QueryParameters</c> (the same path without that match falls through to it). Either way the legacy app's own
/// view of the path would run ungated. YARP shows one route at a time, so each route is checked against the routes
/// of the same configuration seen before it; whichever of a pair comes second is refused.
/// </summary>
internal sealed class GatedPathShadowFilter : IProxyConfigFilter
{
    private readonly Lock _lock = new();

    // The routes of the configuration being applied; YARP configures every cluster, then every route.
    private readonly List<RouteConfig> _routes = [];
    private bool _routesBegun;

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        lock (_lock)
        {
            if (_routesBegun)
            {
                _routes.Clear();
                _routesBegun = false;
            }
        }

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(route);
        string? mistake;
        lock (_lock)
        {
            _routesBegun = true;
            mistake = _routes.Select(earlier => Mistake(route, earlier) ?? Mistake(earlier, route)).FirstOrDefault(m => m is not null);
            _routes.Add(route);
        }

        return mistake is null ? ValueTask.FromResult(route) : throw new ArgumentException(mistake);
    }

    /// <summary>Why <paramref name="other"/> takes requests meant for <paramref name="gated"/>; null when it does not.</summary>
    private static string? Mistake(RouteConfig gated, RouteConfig other)
    {
        if (!SmsCodeGateMetadata.IsGated(gated.Metadata) || SmsCodeGateMetadata.IsGated(other.Metadata)
            || gated.Match.Path is not { } path || other.Match.Path is not { } otherPath || !Overlap(path, otherPath))
        {
            return null;
        }

        var order = gated.Order ?? 0;
        var otherOrder = other.Order ?? 0;
        if (otherOrder < order || (otherOrder == order && Precedence(otherPath) <= Precedence(path)))
        {
            return $"Route '{other.RouteId}' (Order {otherOrder}) comes before gated route '{gated.RouteId}' (Order {order}) on its path '{path}' and would take its requests ungated; give route '{other.RouteId}' an Order above {order}, or a path the gated one does not match.";
        }

        var narrowed = gated.Match.Hosts is { Count: > 0 } ? "Hosts"
            : gated.Match.Headers is { Count: > 0 } ? "Headers"
            : gated.Match.QueryParameters is { Count: > 0 } ? "QueryParameters"
            : null;
        return narrowed is null
            ? null
            : $"Route '{gated.RouteId}': Match:{narrowed} narrows a gated route, so its path without that match falls to route '{other.RouteId}', ungated; remove Match:{narrowed} from the gated route.";
    }

    /// <summary>ASP.NET Core's tie-break between routes of the same Order: the lower wins.</summary>
    private static decimal Precedence(string template) => RoutePatternFactory.Parse(template).InboundPrecedence;

    /// <summary>True when some path matches both templates: a sample of either matches the other.</summary>
    private static bool Overlap(string a, string b) => Matches(a, Sample(b)) || Matches(b, Sample(a));

    private static bool Matches(string template, string path) =>
        new TemplateMatcher(TemplateParser.Parse(template), new RouteValueDictionary()).TryMatch(path, new RouteValueDictionary());

    /// <summary>A path the template matches: each parameter filled with one character.</summary>
    private static string Sample(string template)
    {
        var sample = new StringBuilder();
        foreach (var segment in RoutePatternFactory.Parse(template).PathSegments)
        {
            sample.Append('/');
            foreach (var part in segment.Parts)
            {
                sample.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    _ => "1",
                });
            }
        }

        return sample.Length == 0 ? "/" : sample.ToString();
    }
}
