using Gateway.RateLimiting;
using Gateway.Shared;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers per-client-IP rate limiting from configuration.</summary>
internal static class ClientRateLimitingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ASP.NET Core rate limiter with the named policies of <paramref name="configuration"/> (usually the
    /// <c>ClientRateLimiting</c> section), each partitioned by client IP and answering 429 with <c>Retry-After</c>
    /// and the gate policy's <c>TooManyRequests</c> answer. YARP routes select one with <c>RateLimiterPolicy</c>;
    /// call <c>app.UseRateLimiter()</c>.
    /// </summary>
    public static IServiceCollection AddClientRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ClientRateLimitingOptions>()
            .Configure(options => StrictConfigurationBinder.Bind(configuration, options, nameof(ClientRateLimitingOptions.Policies), options.Policies))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClientRateLimitingOptions>, ClientRateLimitingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<RateLimiterOptions>, ClientRateLimiterPolicies>());
        services.AddRateLimiter(_ => { });
        return services;
    }
}
