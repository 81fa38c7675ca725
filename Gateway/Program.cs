using Gateway;
using Gateway.Management;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.RateLimiting;
using Gateway.TrustedProxies;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

WebApplication app;
try
{
    app = BuildGateway(args);
    await app.StartAsync();
}
catch (Exception ex) when (StartupFailure.IsProcessEntryPoint && ex is not OperationCanceledException)
{
    await Console.Error.WriteLineAsync(StartupFailure.Describe(ex));
    return StartupFailure.ExitCode;
}

await app.WaitForShutdownAsync();
return 0;

static WebApplication BuildGateway(string[] args)
{
    // appsettings.json (log levels that keep full mobiles out of the framework's request logs) ships beside the binary.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    var configFile = builder.Configuration.AddGatewayConfigFile(args);
    var managementPort = ManagementPort.Configure(builder);

    builder.Services.AddTrustedProxies(builder.Configuration.GetSection(TrustedProxiesOptions.SectionName));
    builder.Services.AddClientRateLimiting(builder.Configuration.GetSection(ClientRateLimitingOptions.SectionName));
    builder.Services.AddReverseProxy()
        .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
        .CheckStrictly(builder.Configuration.GetSection("ReverseProxy"))
        .AddSmsCodeGate(builder.Configuration.GetSection(SmsCodeGateOptions.SectionName));
    builder.Services.AddHealthChecks().AddSmsCodeStoreCheck(tags: HealthTags.Ready);
    builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
        .AddMeter(SmsCodeGateDiagnostics.MeterName, "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Hosting")
        .AddPrometheusExporter());

    var gateway = builder.Build();
    configFile.LogTo(gateway.Logger);
    gateway.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TrustedProxiesOptions>>().Value.LogTo(gateway.Logger);

    gateway.UseTrustedForwardedHeaders();
    gateway.UseRateLimiter();
    gateway.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = static _ => false });
    gateway.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = static check => check.Tags.Contains(HealthTags.Ready) });
    gateway.MapPrometheusScrapingEndpoint("/metrics");
    if (managementPort is { } port)
    {
        gateway.MapManagement(port);
    }

    gateway.MapReverseProxy(proxy =>
    {
        proxy.UseSmsCodeGate();
        proxy.UseSessionAffinity();
        proxy.UseLoadBalancing();
        proxy.UsePassiveHealthChecks();
    });

    return gateway;
}

/// <summary>The gateway host; public so that tests can start it with <c>WebApplicationFactory</c>.</summary>
public partial class Program;
