using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Middleware.Diagnostics;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Gate;

/// <summary>
/// Every way out of the gate is counted once by <c>sms_code_gate.requests</c>, through the real host; refusals cost
/// no log line at the shipped levels.
/// </summary>
[TestCaseOrderer(RunsLastOrderer.TypeName, RunsLastOrderer.AssemblyName)]
public sealed partial class GateOutcomeTests(RedisFixture redis) : SharedRedisTests(redis)
{
    private const string ResultTag = "sms_code_gate.result";

    /// <summary>
    /// The results the host counted for the tests here, as <see cref="MeasurementsAsync"/> saw them: what
    /// <see cref="Results_EveryOne_IsDrivenThroughTheHostByATestHere"/> checks, once every other test has run.
    /// </summary>
    private static readonly ConcurrentDictionary<string, int> Observed = new(StringComparer.Ordinal);

    [Fact]
    public async Task Requests_EachOutcome_CountedByResultAndRefusalsWriteNoInformationLog()
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString, policyName: "outcomes");
        config.Root["ClientRateLimiting"] = new JsonObject
        {
            ["Policies"] = new JsonObject
            {
                ["per-ip"] = new JsonObject { ["Kind"] = "FixedWindow", ["PermitLimit"] = 4, ["Window"] = "00:10:00" },
            },
        };
        config.GatedRoute["RateLimiterPolicy"] = "per-ip";
        var host = Resources.Add(new GatewayHost(config).Start());
        using var requests = Requests(host);
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        var logsBefore = host.Logs.Count;

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.RequestCodeAsync("12800138000")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.PostAsync(new Uri($"/sms_codes/{mobile}/", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(new Uri($"/sms_codes%2F{mobile}/", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        Assert.Equal(
            [SmsCodeGateResults.Issued, SmsCodeGateResults.RefusedInterval, SmsCodeGateResults.InvalidMobile, SmsCodeGateResults.MethodNotAllowed, SmsCodeGateResults.PathRefused],
            await ResultsAsync(requests, 5));
        var written = host.Logs.GetSnapshot().Skip(logsBefore).Where(l => l.Level >= LogLevel.Information).ToList();
        Assert.True(written.Count == 0, written.Describe());
    }

    [Theory]
    [InlineData("MaxPerHour", true, SmsCodeGateResults.RefusedHour, HttpStatusCode.BadRequest)]
    [InlineData("MaxPerDay", true, SmsCodeGateResults.RefusedDay, HttpStatusCode.BadRequest)]
    [InlineData("MaxPerIpPerHour", false, SmsCodeGateResults.RefusedIp, HttpStatusCode.BadRequest)]
    [InlineData("MaxSendsPerMinute", false, SmsCodeGateResults.SpendGuard, HttpStatusCode.ServiceUnavailable)]
    public async Task Requests_CapReached_CountedOnceUnderTheCapsResult(string cap, bool sameMobile, string expected, HttpStatusCode status)
    {
        var host = StartGateway(config => config.Policy[cap] = 1);
        using var requests = Requests(host);
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        await Redis.Database(2).KeyDeleteAsync($"send_flag_{mobile}");

        var refused = await client.RequestCodeAsync(sameMobile ? mobile : TestMobiles.Next());

        Assert.Equal(status, refused.StatusCode);
        Assert.Equal([SmsCodeGateResults.Issued, expected], await ResultsAsync(requests, 2));
    }

    [Fact]
    public async Task Requests_EachWayAForwardEnds_CountedOnceAndTimedOnceByTheProviderHistogram()
    {
        // The timeout is had on a second gated route whose provider cluster waits 1 s, so that it cannot overtake the
        // client's abort on the first route, whose cluster waits for longer than the test.
        var host = StartGateway(config =>
        {
            var clusters = config.Root["ReverseProxy"]!["Clusters"]!.AsObject();
            clusters["impatient-provider"] = clusters["sms-provider"]!.DeepClone();
            clusters["impatient-provider"]!["HttpRequest"] = new JsonObject { ["ActivityTimeout"] = "00:00:01" };
            var route = config.GatedRoute.DeepClone().AsObject();
            route["ClusterId"] = "impatient-provider";
            route["Match"]!["Path"] = "/impatient/sms_codes/{mobile}/";
            config.Root["ReverseProxy"]!["Routes"]!["impatient-sms-codes"] = route;
        });
        using var requests = Requests(host);
        using var providerDuration = new MetricCollector<double>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.provider.duration");
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(WithIdempotencyKey(mobile, "k-1"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(WithIdempotencyKey(mobile, "k-1"))).StatusCode);
        Provider.StatusCode = 500;
        Assert.Equal(HttpStatusCode.BadGateway, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Provider.StatusCode = 200;
        Provider.AnswerWhen = new TaskCompletionSource(); // from here the provider answers nothing
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await client.GetAsync(new Uri($"/impatient/sms_codes/{TestMobiles.Next()}/", UriKind.Relative)).WaitAsync(TimeSpan.FromSeconds(30))).StatusCode);
        var abandoned = TestMobiles.Next();
        using var abort = new CancellationTokenSource();
        var pending = client.GetAsync(new Uri($"/sms_codes/{abandoned}/", UriKind.Relative), abort.Token);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Provider.RequestsFor(abandoned).Count == 1)));
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        string[] forwarded = [SmsCodeGateResults.Issued, SmsCodeGateResults.ProviderFailed, SmsCodeGateResults.ProviderTimeout, SmsCodeGateResults.ClientAborted];
        Assert.Equal(
            [SmsCodeGateResults.Issued, SmsCodeGateResults.Repeated, .. forwarded[1..]],
            await ResultsAsync(requests, 5));
        await providerDuration.WaitForMeasurementsAsync(forwarded.Length).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(forwarded, providerDuration.GetMeasurementSnapshot().Select(m => (string)m.Tags[ResultTag]!));
    }

    [Theory]
    [InlineData("Enforce", HttpStatusCode.Forbidden, new[] { SmsCodeGateResults.NumberRefused })]
    [InlineData("Shadow", HttpStatusCode.OK, new[] { SmsCodeGateResults.ShadowNumberRefused, SmsCodeGateResults.Issued })]
    public async Task Requests_NumberRuleRefuses_CountedAsNumberRefusedOrInShadowAlsoAsWhatFollowed(string mode, HttpStatusCode status, string[] expected)
    {
        var host = StartGateway(config =>
        {
            config.Policy["CountryCode"] = "86";
            config.Policy["Numbers"] = new JsonObject { ["AllowRegions"] = new JsonArray("HK"), ["Mode"] = mode };
        });
        using var requests = Requests(host);
        var logsBefore = host.Logs.Count;

        Assert.Equal(status, (await host.CreateClient().RequestCodeAsync(TestMobiles.Next())).StatusCode);

        Assert.Equal(expected, await ResultsAsync(requests, expected.Length));
        var written = host.Logs.GetSnapshot().Skip(logsBefore).Where(l => l.Level >= LogLevel.Information).ToList();
        Assert.Equal(mode == "Shadow" ? ["ShadowNumberRefused"] : [], written.Select(l => l.Id.Name));
    }

    /// <summary>
    /// A tripwire for a new result: a test above must make the host count it. Runs after the others of the class
    /// (<see cref="RunsLastAttribute"/>) and reads what they observed, so run the whole class, not this test alone.
    /// </summary>
    [Fact]
    [RunsLast]
    public void Results_EveryOne_IsDrivenThroughTheHostByATestHere()
    {
        var all = typeof(SmsCodeGateResults).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(field => (string)field.GetRawConstantValue()!);

        Assert.True(!Observed.IsEmpty, "No result observed: run the whole class, this test checks what the others drove.");
        var neverCounted = all.Except(Observed.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.True(neverCounted.Count == 0, $"No test here makes the host count: {string.Join(", ", neverCounted)}");
        var unknown = Observed.Keys.Except(all, StringComparer.Ordinal).ToList();
        Assert.True(unknown.Count == 0, $"Counted but not in SmsCodeGateResults: {string.Join(", ", unknown)}");
    }

    private GatewayHost StartGateway(Action<GatewayConfig>? edit = null, Action<IServiceCollection>? services = null, bool kestrel = false)
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString).WithVerifyRoutes();
        edit?.Invoke(config);
        var host = Resources.Add(new GatewayHost(config, configureServices: services));
        return (kestrel ? host.StartOnKestrel() : host.Start()).WaitUntilConnected();
    }

    private static MetricCollector<long> Requests(GatewayHost host) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");

    /// <summary>The measurements once <paramref name="count"/> are in: some exits are counted after the answer is on its way.</summary>
    private static async Task<IReadOnlyList<CollectedMeasurement<long>>> MeasurementsAsync(MetricCollector<long> requests, int count)
    {
        await requests.WaitForMeasurementsAsync(count).WaitAsync(TimeSpan.FromSeconds(10));
        var measurements = requests.GetMeasurementSnapshot();
        foreach (var measurement in measurements)
        {
            Observed.AddOrUpdate((string)measurement.Tags[ResultTag]!, 1, (_, seen) => seen + 1);
        }

        return measurements;
    }

    private static async Task<List<string>> ResultsAsync(MetricCollector<long> requests, int count) =>
        (await MeasurementsAsync(requests, count)).Select(m => (string)m.Tags[ResultTag]!).ToList();
}
