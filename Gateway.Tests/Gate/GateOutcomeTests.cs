using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Middleware.Codes;
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
public sealed class GateOutcomeTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string ResultTag = "sms_code_gate.result";
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
        using var requests = Requests(host);
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        var logsBefore = host.Logs.Logs.Count;

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.RequestCodeAsync("12800138000")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.PostAsync(new Uri($"/sms_codes/{mobile}/", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(new Uri($"/sms_codes%2F{mobile}/", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        Assert.Equal(
            [SmsCodeGateResults.Issued, SmsCodeGateResults.RefusedInterval, SmsCodeGateResults.InvalidMobile, SmsCodeGateResults.MethodNotAllowed, SmsCodeGateResults.PathRefused],
            await ResultsAsync(requests, 5));
        var written = host.Logs.Logs.Skip(logsBefore).Where(l => l.Level >= LogLevel.Information).ToList();
        Assert.True(written.Count == 0, string.Join("\n", written));
    }

    [Fact]
    public async Task Requests_AnExceptionInTheGate_CountedOnceAsErrorWithItsType()
    {
        var host = StartGateway(services: services => services.AddSingleton<ISmsCodeGenerator>(new FailingCodeGenerator()), kestrel: true);
        using var requests = Requests(host);

        var response = await host.CreateClient().RequestCodeAsync(TestMobiles.Next());

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var measurement = Assert.Single(await MeasurementsAsync(requests, 1));
        Assert.Equal(SmsCodeGateResults.Error, measurement.Tags[ResultTag]);
        Assert.Equal(typeof(InvalidOperationException).FullName, measurement.Tags["error.type"]);
        Assert.Empty(_provider.Requests);
    }

    [Fact]
    public async Task Requests_ClientLeavesWhileItsBodyIsRead_CountedOnceAsClientAborted()
    {
        var host = StartGateway();
        using var requests = Requests(host);
        using var abort = new CancellationTokenSource();
        using var body = new StalledContent("mobile=1380013");

        // Not CreateClient(): its redirect handler reads the whole body before it sends the request.
        var pending = host.Server.CreateClient().PostAsync(new Uri("/verifications/sms/", UriKind.Relative), body, abort.Token);
        await body.Started.WaitAsync(TimeSpan.FromSeconds(10));
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        Assert.Equal([SmsCodeGateResults.ClientAborted], await ResultsAsync(requests, 1));
        Assert.Empty(_provider.OtherRequests);
    }

    [Fact]
    public async Task Requests_RepeatLeavesWhileTheFirstIsInFlight_CountedOnceAsClientAbortedAndTheFirstAsIssued()
    {
        _provider.Delay = TimeSpan.FromSeconds(1);
        var host = StartGateway();
        using var requests = Requests(host);
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        using var abort = new CancellationTokenSource();

        var first = client.SendAsync(WithIdempotencyKey(mobile, "k-1")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(_provider.RequestsFor(mobile).Count == 1)));
        var repeat = client.SendAsync(WithIdempotencyKey(mobile, "k-1"), abort.Token);
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repeat);

        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(
            [SmsCodeGateResults.ClientAborted, SmsCodeGateResults.Issued],
            (await ResultsAsync(requests, 2)).Order(StringComparer.Ordinal));
        Assert.Single(_provider.RequestsFor(mobile));
    }

    private GatewayHost StartGateway(Action<GatewayConfig>? edit = null, Action<IServiceCollection>? services = null, bool kestrel = false)
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString).WithVerifyRoutes();
        edit?.Invoke(config);
        var host = _resources.Add(new GatewayHost(config, configureServices: services));
        return kestrel ? host.StartOnKestrel() : host.Start();
    }

    private static MetricCollector<long> Requests(GatewayHost host) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");

    /// <summary>The measurements once <paramref name="count"/> are in: some exits are counted after the answer is on its way.</summary>
    private static async Task<IReadOnlyList<CollectedMeasurement<long>>> MeasurementsAsync(MetricCollector<long> requests, int count)
    {
        await requests.WaitForMeasurementsAsync(count).WaitAsync(TimeSpan.FromSeconds(10));
        return requests.GetMeasurementSnapshot();
    }

    private static async Task<List<string>> ResultsAsync(MetricCollector<long> requests, int count) =>
        (await MeasurementsAsync(requests, count)).Select(m => (string)m.Tags[ResultTag]!).ToList();

    private static HttpRequestMessage WithIdempotencyKey(string mobile, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/");
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private sealed class FailingCodeGenerator : ISmsCodeGenerator
    {
        public string Generate(int length) => throw new InvalidOperationException("A bug in the code generator.");
    }

    /// <summary>A form body that sends its first bytes, then nothing until it is released or the client gives up.</summary>
    private sealed class StalledContent : HttpContent
    {
        private readonly byte[] _prefix;
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public StalledContent(string prefix)
        {
            _prefix = Encoding.ASCII.GetBytes(prefix);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        }

        public Task Started => _started.Task;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(_prefix, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            _started.TrySetResult();
            await _released.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            _released.TrySetResult();
            base.Dispose(disposing);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
