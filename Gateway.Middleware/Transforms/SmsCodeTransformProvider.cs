using Gateway.Middleware.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Middleware.Transforms;

/// <summary>
/// Validates the <c>SmsCodePolicy</c> metadata of YARP routes (an unknown policy fails start-up, and a reload
/// keeps the last good routes) and adds the code transforms to gated routes.
/// </summary>
internal sealed class SmsCodeTransformProvider : ITransformProvider
{
    private readonly SmsCodePolicyRegistry _policies;

    public SmsCodeTransformProvider(SmsCodePolicyRegistry policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        _policies = policies;
    }

    public void ValidateRoute(TransformRouteValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!TryGetPolicyName(context.Route, out var name))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            context.Errors.Add(new ArgumentException(
                $"Route '{context.Route.RouteId}': Metadata:{SmsCodeGateMetadata.PolicyName} is empty."));
        }
        else if (!_policies.TryGetFresh(name, out _))
        {
            context.Errors.Add(new ArgumentException(
                $"Route '{context.Route.RouteId}': Metadata:{SmsCodeGateMetadata.PolicyName} names '{name}', which is not defined under {SmsCodeGateOptions.SectionName}:{nameof(SmsCodeGateOptions.Policies)}."));
        }

        if (context.Route.Match.Path?.Contains('{' + SmsCodeGateMetadata.MobileRouteValue, StringComparison.Ordinal) != true)
        {
            context.Errors.Add(new ArgumentException(
                $"Route '{context.Route.RouteId}': a gated route's Match:Path must capture the route value '{{{SmsCodeGateMetadata.MobileRouteValue}}}' (was '{context.Route.Match.Path}')."));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (TryGetPolicyName(context.Route, out _))
        {
            // The provider is a third party: it gets only what SmsCodeRequestTransform puts in, no copy of the client's
            // headers and no X-Forwarded-* with the client's address.
            context.CopyRequestHeaders = false;
            context.UseDefaultForwarders = false;
            context.RequestTransforms.Add(SmsCodeRequestTransform.Instance);
            context.ResponseTransforms.Add(SmsCodeResponseTransform.Instance);
        }
    }

    private static bool TryGetPolicyName(RouteConfig route, out string name)
    {
        name = string.Empty;
        return route.Metadata is not null && route.Metadata.TryGetValue(SmsCodeGateMetadata.PolicyName, out name!);
    }
}
