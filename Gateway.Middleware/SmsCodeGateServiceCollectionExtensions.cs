using Gateway.Middleware.Codes;
using Gateway.Middleware.Configuration;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Gate;
using Gateway.Middleware.Health;
using Gateway.Middleware.Routing;
using Gateway.Middleware.Store;
using Gateway.Middleware.Tracing;
using Gateway.Middleware.Transforms;
using Gateway.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SMS code gate.</summary>
public static partial class SmsCodeGateServiceCollectionExtensions
{
    /// <summary>
    /// Adds the SMS code gate, bound to <paramref name="configuration"/> (usually the <c>SmsCodeGate</c> section)
    /// and reloaded with it. Call <c>UseSmsCodeGate()</c> inside <c>MapReverseProxy</c> to put it in the pipeline.
    /// Every overload also caps YARP's forwarder log category at Warning: its Information lines hold each
    /// destination URL, and so the full mobile of a provider path.
    /// </summary>
    public static IServiceCollection AddSmsCodeGate(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SmsCodeGateOptions>().Configure(options =>
            StrictConfigurationBinder.Bind(configuration, options, nameof(SmsCodeGateOptions.Policies), options.Policies));
        services.AddSingleton<IOptionsChangeTokenSource<SmsCodeGateOptions>>(new ConfigurationChangeTokenSource<SmsCodeGateOptions>(configuration));
        return services.AddSmsCodeGateCore();
    }

    /// <summary>Adds the SMS code gate, configured in code.</summary>
    public static IServiceCollection AddSmsCodeGate(this IServiceCollection services, Action<SmsCodeGateOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SmsCodeGateOptions>().Configure(configure);
        return services.AddSmsCodeGateCore();
    }

    /// <summary>
    /// Adds the SMS code gate to a YARP proxy, bound to <paramref name="configuration"/> (usually the <c>SmsCodeGate</c>
    /// section) and reloaded with it: <c>services.AddReverseProxy().LoadFromConfig(...).AddSmsCodeGate(...)</c>. Call
    /// <c>UseSmsCodeGate()</c> inside <c>MapReverseProxy</c> to put it in the pipeline.
    /// </summary>
    public static IReverseProxyBuilder AddSmsCodeGate(this IReverseProxyBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSmsCodeGate(configuration);
        return builder;
    }

    /// <summary>Adds the SMS code gate to a YARP proxy, configured in code.</summary>
    public static IReverseProxyBuilder AddSmsCodeGate(this IReverseProxyBuilder builder, Action<SmsCodeGateOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSmsCodeGate(configure);
        return builder;
    }

    /// <summary>
    /// Adds a readiness check that the SMS code store answers. Its failures are logged at most once per 10 s, with the
    /// number of probes not logged, and the store's return once; ASP.NET Core's own Error line for each unhealthy probe
    /// of this check is left out.
    /// </summary>
    public static IHealthChecksBuilder AddSmsCodeStoreCheck(this IHealthChecksBuilder builder, string name = "sms_code_store", params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(new SmsCodeStoreCheckName(name));
        if (builder.Services.LastOrDefault(service => service.ServiceType == typeof(HealthCheckService))?.ImplementationType is { } healthCheckService)
        {
            // A closed ILogger<DefaultHealthCheckService> wins over the open ILogger<> for that one service.
            builder.Services.TryAdd(ServiceDescriptor.Singleton(
                typeof(ILogger<>).MakeGenericType(healthCheckService),
                typeof(HealthCheckServiceLogger<>).MakeGenericType(healthCheckService)));
        }

        return builder.AddCheck<SmsCodeStoreHealthCheck>(name, HealthStatus.Unhealthy, tags);
    }

    private static IServiceCollection AddSmsCodeGateCore(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmsCodeGateOptions>, SmsCodeGateOptionsValidator>());
        services.TryAddSingleton<SmsCodePolicyRegistry>();
        services.TryAddSingleton<ISmsCodeGenerator, SmsCodeGenerator>();
        services.TryAddSingleton<SmsCodeGateMetrics>();
        services.TryAddSingleton<LogThrottle>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LoggerFilterOptions>, ForwarderLogCap>());
        services.TryAddSingleton<GatedPathGuard>();
        services.TryAddSingleton<SmsCodeVerifier>();
        services.TryAddSingleton<StoreUnavailableAnswer>();
        services.TryAddSingleton<SendsInFlight>();
        services.TryAddSingleton<Gateway.Middleware.Numbers.NumberGate>();
        services.TryAddSingleton<Gateway.Middleware.Blocks.BlockGate>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter, GatedRouteMethodsFilter>());
        services.AddSmsCodeGateValidators();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<RedisSmsCodeStoreOptions>, RedisSmsCodeStoreOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisSmsCodeStoreOptions>, RedisSmsCodeStoreOptionsValidator>());
        services.TryAddSingleton<StoreOutageLog>();
        services.TryAddSingleton(static sp => new StoreCircuitBreaker(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<RedisSmsCodeStoreOptions>>().Value.StoreBreakDuration,
            sp.GetRequiredService<StoreOutageLog>()));
        services.TryAddSingleton<RedisConnection>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisConnectionStarter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISmsCodePolicyCheck, RedisClusterPolicyCheck>());
        services.TryAddSingleton(CreateConfiguredStore);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, SmsCodeTransformProvider>());
        UseGatewayForwarderHttpClientFactory(services);
        return services;
    }

    /// <summary>
    /// Puts the gateway's trace propagation on YARP's clients (the provider never sees the client's trace context): in
    /// place of YARP's default factory, registered before or after this; a factory of the app's own is left alone.
    /// </summary>
    private static void UseGatewayForwarderHttpClientFactory(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IForwarderHttpClientFactory));
        if (registered is null || registered.ImplementationType == typeof(ForwarderHttpClientFactory))
        {
            services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory, GatewayForwarderHttpClientFactory>());
        }
    }

    /// <summary>
    /// Replaces the gate's store with the Redis store, configured in code: a configuration string, connection options, or
    /// an application's own multiplexer (<see cref="RedisSmsCodeStoreOptions.ConnectionMultiplexerFactory"/>), plus the
    /// timeouts. Runs after the <c>SmsCodeGate</c> section has filled the same options in, so it has the last word.
    /// </summary>
    public static IServiceCollection AddRedisSmsCodeStore(this IServiceCollection services, Action<RedisSmsCodeStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisSmsCodeStoreOptions>().Configure(configure).ValidateOnStart();
        services.Replace(ServiceDescriptor.Singleton(CreateRedisStore));
        return services;
    }

    /// <summary>Replaces the gate's store with the Redis store, configured in code (see the <see cref="IServiceCollection"/> overload).</summary>
    public static IReverseProxyBuilder AddRedisSmsCodeStore(this IReverseProxyBuilder builder, Action<RedisSmsCodeStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRedisSmsCodeStore(configure);
        return builder;
    }

    /// <summary>The store that configuration names: Redis when <c>SmsCodeGate:Redis</c> is set, else the in-process store.</summary>
    private static ISmsCodeStore CreateConfiguredStore(IServiceProvider services)
    {
        if (services.GetRequiredService<RedisConnection>().IsConfigured)
        {
            return CreateRedisStore(services);
        }

        Log.InProcessStore(services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Middleware.SmsCodeGate"));
        return new InMemorySmsCodeStore(services.GetRequiredService<TimeProvider>());
    }

    private static ISmsCodeStore CreateRedisStore(IServiceProvider services)
    {
        var redis = services.GetRequiredService<RedisConnection>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Middleware.SmsCodeGate");
        Log.RedisStore(logger, redis.Deployment switch
        {
            RedisDeployment.Unknown => "not connected yet",
            var deployment => deployment.ToString().ToLowerInvariant(),
        });
        return new RedisSmsCodeStore(
            redis,
            services.GetRequiredService<IOptions<RedisSmsCodeStoreOptions>>(),
            services.GetRequiredService<StoreCircuitBreaker>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<RedisSmsCodeStore>>(),
            services.GetRequiredService<LogThrottle>(),
            services.GetService<RedisScripts>());
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.InProcessStore, LogLevel.Warning, "SmsCodeGate:Redis is not set: using the in-process store. The send throttle is NOT shared between gateway instances; set SmsCodeGate:Redis for production.", EventName = nameof(EventIds.InProcessStore))]
        public static partial void InProcessStore(ILogger logger);

        [LoggerMessage(EventIds.RedisStore, LogLevel.Information, "SMS code store: Redis ({Deployment}).", EventName = nameof(EventIds.RedisStore))]
        public static partial void RedisStore(ILogger logger, string deployment);
    }
}
