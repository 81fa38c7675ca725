using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.RouteValidators;

namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// Refuses route metadata keys that look like the gate's but are not (<c>SmsCodePolicyy</c>, <c>smscodepolicy</c>,
/// <c>SmCodePolicy</c>), and a <c>SmsProviderUnmarked</c> that does not say <c>allow</c> on a send route. Run by YARP,
/// at start-up and on every reload.
/// </summary>
internal sealed class RouteMetadataValidator : IRouteValidator
{
    public ValueTask ValidateAsync(RouteConfig routeConfig, IList<Exception> errors)
    {
        ArgumentNullException.ThrowIfNull(routeConfig);
        ArgumentNullException.ThrowIfNull(errors);
        if (routeConfig.Metadata is not { Count: > 0 } metadata)
        {
            return ValueTask.CompletedTask;
        }

        var owner = $"Route '{routeConfig.RouteId}'";
        GateMetadataKeys.AddMistakes(owner, metadata, GateMetadataKeys.Route, errors);

        if (metadata.TryGetValue(SmsCodeGateMetadata.ProviderUnmarkedName, out var unmarked)
            && (unmarked != SmsCodeGateMetadata.ProviderUnmarkedAllow || !metadata.ContainsKey(SmsCodeGateMetadata.PolicyName)))
        {
            errors.Add(new ArgumentException(
                $"{owner}: Metadata:{SmsCodeGateMetadata.ProviderUnmarkedName} may only be '{SmsCodeGateMetadata.ProviderUnmarkedAllow}', on a route with Metadata:{SmsCodeGateMetadata.PolicyName} (was '{unmarked}')."));
        }

        return ValueTask.CompletedTask;
    }
}
