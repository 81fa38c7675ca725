using Gateway.Shared;
using Gateway.TrustedProxies;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the trusted-proxy configuration of the forwarded-headers middleware.</summary>
internal static class TrustedProxiesServiceCollectionExtensions
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        // Strictly, so that a typo names its key under the section (ForwardedHeaders:KnownProxys).
        services.AddOptions<TrustedProxiesOptions>().Configure(options => StrictConfigurationBinder.Bind(configuration, options));
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>, TrustedProxiesSetup>();
        return services;
    }
}
