using Gateway;
using Gateway.TrustedProxies;
using Gateway.Middleware.Configuration;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

// appsettings.json (log levels that keep full mobiles out of the framework's request logs) ships beside the binary.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var configFile = builder.Configuration.AddGatewayConfigFile(args);

builder.Services.AddTrustedProxies(builder.Configuration.GetSection(TrustedProxiesOptions.SectionName));
builder.Services.AddClientRateLimiting(builder.Configuration.GetSection(ClientRateLimitingOptions.SectionName));
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
builder.Services.AddSmsCodeGate(builder.Configuration.GetSection(SmsCodeGateOptions.SectionName));
builder.Services.AddHealthChecks().AddSmsCodeStoreCheck(tags: HealthTags.Ready);
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddMeter(SmsCodeGateDiagnostics.MeterName, "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Hosting")
    .AddPrometheusExporter());

var app = builder.Build();
GatewayLog.ConfigFile(app.Logger, configFile);

app.UseForwardedHeaders();
app.UseRateLimiter();
app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = static _ => false });
app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = static check => check.Tags.Contains(HealthTags.Ready) });
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapReverseProxy(proxy =>
{
    proxy.UseSmsCodeGate();
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});

app.Run();

/// <summary>The gateway host; public so that tests can start it with <c>WebApplicationFactory</c>.</summary>
public partial class Program;
