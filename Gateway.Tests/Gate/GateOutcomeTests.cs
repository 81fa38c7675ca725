using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Middleware.Diagnostics;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Gate;

/// <summary>Every way out of the gate is counted by <c>sms_code_gate.requests</c>; refusals cost no log line at the shipped levels.</summary>
public sealed class GateOutcomeTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        await redis.Server.Server.FlushAllDatabasesAsync();
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task Requests_EachOutcome_CountedByResultAndRefusalsWriteNoInformationLog()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString, policyName: "outcomes");
        config.Root["ClientRateLimiting"] = new JsonObject
        {
            ["Policies"] = new JsonObject
            {
                ["per-ip"] = new JsonObject { ["Kind"] = "FixedWindow", ["PermitLimit"] = 4, ["Window"] = "00:10:00" },
            },
        };
        config.GatedRoute["RateLimiterPolicy"] = "per-ip";
        var host = _resources.Add(new GatewayHost(config).Start());
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        var logsBefore = host.Logs.Count;

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.RequestCodeAsync("12800138000")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.PostAsync(new Uri($"/sms_codes/{mobile}/", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(new Uri($"/sms_codes%2F{mobile}/", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        var results = requests.GetMeasurementSnapshot().Select(m => (string)m.Tags["sms_code_gate.result"]!).ToList();
        Assert.Equal(
            [SmsCodeGateResults.Issued, SmsCodeGateResults.RefusedInterval, SmsCodeGateResults.InvalidMobile, SmsCodeGateResults.MethodNotAllowed, SmsCodeGateResults.PathRefused],
            results);
        var written = host.Logs.GetSnapshot().Skip(logsBefore).Where(l => l.Level >= LogLevel.Information).ToList();
        Assert.True(written.Count == 0, written.Describe());
    }
}
