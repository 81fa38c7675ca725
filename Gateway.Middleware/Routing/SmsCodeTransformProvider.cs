using Gateway.Middleware.Policies.Validators;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Send;
using Gateway.Middleware.Tracing;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Middleware.Routing;

/// <summary>
/// Validates the gate's metadata on YARP routes (an unknown policy fails start-up, and a reload keeps the last good
/// routes) and adds the code transforms to send routes. Every other route goes to a legacy app: it drops the header
/// names WSGI would rewrite (see <see cref="UnderscoreHeadersTransform"/>).
/// </summary>
internal sealed class SmsCodeTransformProvider : ITransformProvider
{
    private readonly SmsCodePolicyRegistry _policies;
    private readonly IOptionsMonitor<SmsCodeGateOptions> _options;

    public SmsCodeTransformProvider(SmsCodePolicyRegistry policies, IOptionsMonitor<SmsCodeGateOptions> options)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(options);
        _policies = policies;
        _options = options;
    }

    public void ValidateRoute(TransformRouteValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var route = context.Route;
        var roles = SmsCodeGateMetadata.Roles.Where(role => route.Metadata?.ContainsKey(role) == true).ToList();
        if (roles.Count == 0)
        {
            return;
        }

        if (roles.Count > 1)
        {
            context.Errors.Add(new ArgumentException(
                $"Route '{route.RouteId}': Metadata names more than one gate role ({string.Join(", ", roles)}); a route sends, guards a verify route, or is the verify endpoint."));
            return;
        }

        var role = roles[0];
        var name = route.Metadata![role];
        if (string.IsNullOrWhiteSpace(name))
        {
            context.Errors.Add(new ArgumentException($"Route '{route.RouteId}': Metadata:{role} is empty."));
            return;
        }

        if (!_policies.TryGetFresh(name, out var policy))
        {
            context.Errors.Add(new ArgumentException(
                $"Route '{route.RouteId}': Metadata:{role} names '{name}', which is not defined under {SmsCodeGateOptions.SectionName}:{nameof(SmsCodeGateOptions.Policies)}."));
            return;
        }

        var source = policy.MobileFrom;
        if (route.Metadata.TryGetValue(SmsCodeGateMetadata.MobileFromName, out var routeSource))
        {
            source = RequestValueSource.TryParse(routeSource, out var error)!;
            if (source is null)
            {
                context.Errors.Add(new ArgumentException($"Route '{route.RouteId}': Metadata:{SmsCodeGateMetadata.MobileFromName} {error} (was '{routeSource}')."));
                return;
            }
        }

        if (source.Location == RequestValueLocation.Route && route.Match.Path?.Contains('{' + source.Name, StringComparison.OrdinalIgnoreCase) != true)
        {
            context.Errors.Add(new ArgumentException(
                $"Route '{route.RouteId}': policy '{name}' takes the mobile from {source}, so the route's Match:Path must capture '{{{source.Name}}}' (was '{route.Match.Path}')."));
        }
        else if (role == SmsCodeGateMetadata.PolicyName && ProviderMobileRule.Check(route, policy, source) is { } unreached)
        {
            context.Errors.Add(new ArgumentException(unreached));
        }

        if (string.IsNullOrEmpty(route.ClusterId))
        {
            // YARP answers a route without a cluster 503 before any proxy step runs; the verify endpoint's is never called.
            context.Errors.Add(new ArgumentException(
                $"Route '{route.RouteId}': a gated route needs a ClusterId (the verify endpoint's is never called: name any cluster, e.g. the SMS provider's)."));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Route.Metadata?.ContainsKey(SmsCodeGateMetadata.PolicyName) == true)
        {
            // The provider is a third party: it gets only what SmsCodeRequestTransform puts in, no copy of the client's
            // headers and no X-Forwarded-* with the client's address.
            context.CopyRequestHeaders = false;
            context.UseDefaultForwarders = false;
            context.RequestTransforms.Add(SmsCodeRequestTransform.Instance);
            context.RequestTransforms.Add(SmsCodeGateMetadata.IsProviderCluster(context.Cluster?.Metadata) ? ProviderCall.OnProviderCluster : ProviderCall.OnOtherCluster);
            context.ResponseTransforms.Add(SmsCodeResponseTransform.Instance);
            return;
        }

        context.RequestTransforms.Add(_options.CurrentValue.AllowUnderscoreHeaders ? UnderscoreHeadersTransform.Reserved : UnderscoreHeadersTransform.All);
    }
}
