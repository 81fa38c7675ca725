// A plain YARP host that adds the SMS code gate: the whole of what another team writes to adopt it.
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddSmsCodeGate(builder.Configuration.GetSection("SmsCodeGate"));
builder.Services.AddHealthChecks().AddSmsCodeStoreCheck();

var app = builder.Build();

app.MapHealthChecks("/readyz");
app.MapReverseProxy(proxy =>
{
    // MapReverseProxy(pipeline => ...) replaces YARP's default steps: add them back after the gate.
    proxy.UseSmsCodeGate();
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});

app.Run();
