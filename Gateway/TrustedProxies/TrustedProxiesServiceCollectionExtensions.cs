using Gateway.TrustedProxies;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the trusted-proxy configuration of the forwarded-headers middleware.</summary>
internal static class TrustedProxiesServiceCollectionExtensions
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrustedProxiesOptions>().Bind(configuration, binder => binder.ErrorOnUnknownConfiguration = true);
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>, TrustedProxiesSetup>();
        return services;
    }
}
