using Gateway.Middleware.Policies;
using Gateway.Middleware.Policies.Validators;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;
using Yarp.ReverseProxy.Configuration.RouteValidators;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the gate's checks: of its own section (<see cref="SmsCodeGateOptionsValidator"/>, which the policy registry
/// runs at start-up and on every reload), and of YARP's routes and clusters with YARP itself, so that YARP refuses a
/// configuration that breaks them. At start-up a failure stops the host; on a reload the last good configuration stays
/// and the reason is logged.
/// </summary>
internal static class GateValidatorsServiceCollectionExtensions
{
    public static IServiceCollection AddSmsCodeGateValidators(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmsCodeGateOptions>, SmsCodeGateOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISmsCodePolicyValidator, NumberOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISmsCodePolicyValidator, BlockOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteValidator, RouteMetadataValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterValidator, ClusterMetadataValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter, ProviderClusterFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter, GatedPathShadowFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigChangeListener, GateConfigurationWarnings>());
        return services;
    }
}
