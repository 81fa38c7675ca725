using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Middleware.Codes;
using Gateway.Middleware.Configuration;
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
public sealed partial class GateOutcomeTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string ResultTag = "sms_code_gate.result";

    /// <summary>
    /// The results the host counted for the tests here, as <see cref="MeasurementsAsync"/> saw them: what
    /// <see cref="Results_EveryOne_IsDrivenThroughTheHostByATestHere"/> checks, once every other test has run.
    /// </summary>
    private static readonly ConcurrentDictionary<string, int> Observed = new(StringComparer.Ordinal);

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
        await redis.Server.Database(2).KeyDeleteAsync($"send_flag_{mobile}");

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
        _provider.StatusCode = 500;
        Assert.Equal(HttpStatusCode.BadGateway, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        _provider.StatusCode = 200;
        _provider.AnswerWhen = new TaskCompletionSource(); // from here the provider answers nothing
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await client.GetAsync(new Uri($"/impatient/sms_codes/{TestMobiles.Next()}/", UriKind.Relative)).WaitAsync(TimeSpan.FromSeconds(30))).StatusCode);
        var abandoned = TestMobiles.Next();
        using var abort = new CancellationTokenSource();
        var pending = client.GetAsync(new Uri($"/sms_codes/{abandoned}/", UriKind.Relative), abort.Token);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(_provider.RequestsFor(abandoned).Count == 1)));
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        string[] forwarded = [SmsCodeGateResults.Issued, SmsCodeGateResults.ProviderFailed, SmsCodeGateResults.ProviderTimeout, SmsCodeGateResults.ClientAborted];
        Assert.Equal(
            [SmsCodeGateResults.Issued, SmsCodeGateResults.Repeated, .. forwarded[1..]],
            await ResultsAsync(requests, 5));
        await providerDuration.WaitForMeasurementsAsync(forwarded.Length).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(forwarded, providerDuration.GetMeasurementSnapshot().Select(m => (string)m.Tags[ResultTag]!));
    }

    [Fact]
    public async Task Requests_StoreFailsOrBodyTooLarge_CountedOnceWithWhatFailed()
    {
        var host = StartGateway(config =>
        {
            config.Policy["MaxPerHour"] = 5;
            config.Policy["MaxBodySize"] = 64;
        });
        using var requests = Requests(host);
        var client = host.CreateClient();
        var poisoned = TestMobiles.Next();
        await redis.Server.Database(2).ListLeftPushAsync($"sms_hour_{poisoned}", "not a counter");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(poisoned)).StatusCode);
        var tooLarge = await client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new StringContent("mobile=13800138000&sms_code=123456&pad=" + new string('x', 100), Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        var measurements = await MeasurementsAsync(requests, 2);
        Assert.Equal([SmsCodeGateResults.StoreUnavailable, SmsCodeGateResults.BodyTooLarge], measurements.Select(m => (string)m.Tags[ResultTag]!));
        Assert.Equal("data", measurements[0].Tags["error.type"]); // a key's contents, not the server: the breaker stays closed
        Assert.False(measurements[1].Tags.ContainsKey("error.type"));
    }

    [Fact]
    public async Task Requests_BodyTheAppWouldReadAnotherWay_CountedOnceAsUnsupported()
    {
        var host = StartGateway();
        using var requests = Requests(host);
        var client = host.CreateClient();

        var sent = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await LegacyVerifyAsync(client, sent.Mobile, sent.Code)).StatusCode);
        var charset = new StringContent("mobile=13800138000&sms_code=123456");
        charset.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-7");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative), charset)).StatusCode);
        var multipart = new MultipartFormDataContent { { new StringContent("13800138000"), "mobile" } };
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative), multipart)).StatusCode);

        Assert.Equal(
            new[] { SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyAppAccepted, SmsCodeGateResults.UnsupportedCharset, SmsCodeGateResults.UnsupportedMediaType }.Order(StringComparer.Ordinal),
            (await ResultsAsync(requests, 4)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Requests_VerifyEndpointOutcomes_EachCountedOnce()
    {
        var host = StartGateway(config =>
        {
            config.Policy["MaxVerifyAttempts"] = 2;
            config.Policy["MaxVerifyFailuresPerDay"] = 3;
        });
        using var requests = Requests(host);
        var client = host.CreateClient();

        var verified = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, verified.Mobile, Other(verified.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(client, verified.Mobile, verified.Code)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, TestMobiles.Next(), "123456")).StatusCode);

        var overLimit = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, overLimit.Mobile, Other(overLimit.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, overLimit.Mobile, Other(overLimit.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await VerifyAsync(client, overLimit.Mobile, overLimit.Code)).StatusCode);

        var perDay = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, perDay.Mobile, Other(perDay.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, perDay.Mobile, Other(perDay.Code))).StatusCode);
        await redis.Server.Database(2).KeyDeleteAsync($"send_flag_{perDay.Mobile}");
        var resent = await SendCodeAsync(client, perDay.Mobile);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, perDay.Mobile, Other(resent.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await VerifyAsync(client, perDay.Mobile, resent.Code)).StatusCode);

        Assert.Equal(
            [
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyWrong, SmsCodeGateResults.Verified, SmsCodeGateResults.VerifyNoCode,
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyWrong, SmsCodeGateResults.VerifyWrong, SmsCodeGateResults.VerifyOverLimit,
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyWrong, SmsCodeGateResults.VerifyWrong,
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyWrong, SmsCodeGateResults.VerifyFailuresPerDay,
            ],
            await ResultsAsync(requests, 14));
    }

    [Fact]
    public async Task Requests_VerifyRouteOutcomes_EachCountedOnce()
    {
        var host = StartGateway(config => config.Policy["MaxVerifyAttempts"] = 1);
        using var requests = Requests(host);
        var client = host.CreateClient();

        var refused = await SendCodeAsync(client);
        _provider.OtherStatusCode = 400;
        Assert.Equal(HttpStatusCode.BadRequest, (await LegacyVerifyAsync(client, refused.Mobile, Other(refused.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LegacyVerifyAsync(client, refused.Mobile, refused.Code)).StatusCode);
        var accepted = await SendCodeAsync(client);
        _provider.OtherStatusCode = 200;
        var app = _provider.OtherAnswerWhen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = LegacyVerifyAsync(client, accepted.Mobile, accepted.Code);
        await _provider.OtherReceived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LegacyVerifyAsync(client, accepted.Mobile, accepted.Code)).StatusCode);
        app.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await LegacyVerifyAsync(client, TestMobiles.Next(), "123456")).StatusCode);

        // The app's own answers are counted once it has given them, so they may land after the next request's.
        Assert.Equal(
            new[]
            {
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyAppRefused, SmsCodeGateResults.VerifyOverLimit,
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyInFlight, SmsCodeGateResults.VerifyAppAccepted, SmsCodeGateResults.VerifyNoCode,
            }.Order(StringComparer.Ordinal),
            (await ResultsAsync(requests, 7)).Order(StringComparer.Ordinal));
        Assert.Equal(2, _provider.OtherRequests.Count);
    }

    [Fact]
    public async Task Requests_PolicyGoneInAReload_CountedOnceAsPolicyMissing()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        var host = _resources.Add(new GatewayHost(config).Start());
        using var requests = Requests(host);
        var client = host.CreateClient();

        // The gate's policies reload without the route's policy; YARP refuses the routes that name it and keeps them.
        var policies = config.Gate["Policies"]!.AsObject();
        policies["renamed"] = policies[GatewayConfig.PolicyName]!.DeepClone();
        policies.Remove(GatewayConfig.PolicyName);
        config.WriteTo(host.ConfigPath);
        var statuses = new List<HttpStatusCode>();
        Assert.True(await GatewayClient.EventuallyAsync(async () =>
        {
            statuses.Add((await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
            return statuses[^1] == HttpStatusCode.InternalServerError;
        }));

        var results = await ResultsAsync(requests, statuses.Count);
        Assert.Equal(SmsCodeGateResults.PolicyMissing, results[^1]);
        Assert.All(results[..^1], result => Assert.Equal(SmsCodeGateResults.Issued, result));
        Assert.All(statuses[..^1], status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task Requests_PolicyRejectedOnceTheStoreIsKnown_CountedOnceAsPolicyRejected()
    {
        var check = new LatePolicyCheck();
        var host = StartGateway(services: services => services.AddSingleton<ISmsCodePolicyCheck>(check));
        using var requests = Requests(host);
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        check.IsReady = true;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Assert.Equal([SmsCodeGateResults.Issued, SmsCodeGateResults.PolicyRejected], await ResultsAsync(requests, 2));
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
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _provider.AnswerWhen = answer;
        var host = StartGateway();
        using var requests = Requests(host);
        using var storeCalls = new MetricCollector<double>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.store.duration");
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        using var abort = new CancellationTokenSource();

        // The provider holds the first send until the repeat, which the store has answered (a repeat of a send in
        // flight) and which waits for the first, has left.
        var first = client.SendAsync(WithIdempotencyKey(mobile, "k-1")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(_provider.RequestsFor(mobile).Count == 1)));
        var repeat = client.SendAsync(WithIdempotencyKey(mobile, "k-1"), abort.Token);
        await storeCalls.WaitForMeasurementsAsync(2).WaitAsync(TimeSpan.FromSeconds(30));
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repeat);
        answer.SetResult();

        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(
            [SmsCodeGateResults.ClientAborted, SmsCodeGateResults.Issued],
            (await ResultsAsync(requests, 2)).Order(StringComparer.Ordinal));
        Assert.Single(_provider.RequestsFor(mobile));
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

    private async Task<(string Mobile, string Code)> SendCodeAsync(HttpClient client, string? mobile = null)
    {
        mobile ??= TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        return (mobile, _provider.RequestsFor(mobile)[^1].Code!);
    }

    private static Task<HttpResponseMessage> VerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsJsonAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative), new { code }).WaitAsync(TimeSpan.FromSeconds(30));

    private static Task<HttpResponseMessage> LegacyVerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new FormUrlEncodedContent([new("mobile", mobile), new("sms_code", code)])).WaitAsync(TimeSpan.FromSeconds(30));

    private static string Other(string code) => code == "000000" ? "111111" : "000000";

    private GatewayHost StartGateway(Action<GatewayConfig>? edit = null, Action<IServiceCollection>? services = null, bool kestrel = false)
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString).WithVerifyRoutes();
        edit?.Invoke(config);
        var host = _resources.Add(new GatewayHost(config, configureServices: services));
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

    private static HttpRequestMessage WithIdempotencyKey(string mobile, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/");
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    /// <summary>A store check that cannot tell at start-up, then refuses every policy once it can.</summary>
    private sealed class LatePolicyCheck : ISmsCodePolicyCheck
    {
        public bool IsReady { get; set; }

        public IEnumerable<string> Check(SmsCodePolicy policy) => [$"SmsCodeGate:Policies:{policy.Name} cannot run on this store."];
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
