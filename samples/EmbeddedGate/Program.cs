using System.Threading.RateLimiting;
using Gateway.Middleware;
using Microsoft.AspNetCore.RateLimiting;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddSmsCodeGate(builder.Configuration.GetSection("SmsCodeGate"));
builder.Services.AddHealthChecks().AddSmsCodeStoreCheck();

// The policy that routes name with "RateLimiterPolicy": "sms-per-ip": 5 sends a minute per client IP, answered
// 429 with Retry-After in the words of the route's gate policy. YARP refuses to start on a name no policy has.
builder.Services.AddRateLimiter(options =>
{
    options.AddPolicy("sms-per-ip", context => RateLimitPartition.GetFixedWindowLimiter(
        context.Connection.RemoteIpAddress?.ToString() ?? "",
        _ => new FixedWindowRateLimiterOptions { PermitLimit = 5, Window = TimeSpan.FromMinutes(1) }));
    options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    options.OnRejected = (context, _) => new ValueTask(context.HttpContext.WriteSmsCodeTooManyRequestsAsync(
        context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null));
});

var app = builder.Build();

app.UseRateLimiter();
app.MapHealthChecks("/readyz");
app.MapReverseProxy(proxy =>
{
    proxy.UseSmsCodeGate();          // after route matching, before load balancing and forwarding
    proxy.UseSessionAffinity();      // MapReverseProxy(pipeline => ...) replaces YARP's default steps:
    proxy.UseLoadBalancing();        // add them back
    proxy.UsePassiveHealthChecks();
});

app.Run();
