using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Gateway.Middleware.Diagnostics;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Gate;

/// <summary>
/// The gate's behaviour through the real host, a real provider on loopback and a real store. Runs once against
/// Redis and once against the in-process store; the two must not differ.
/// </summary>
public abstract partial class SmsCodeGateContractTests(ContractStore store) : IAsyncLifetime
{
    /// <summary>How long a test waits for what must happen before it fails instead of hanging: not a timing claim.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly TestResources _resources = new();

    protected RecordingSmsProvider Provider { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await store.ResetAsync();
        Provider = await RecordingSmsProvider.StartAsync();
        _resources.Add(Provider);
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    protected GatewayHost StartGateway(Action<GatewayConfig>? edit = null, LogLevel? gateLogLevel = null)
    {
        var config = new GatewayConfig(Provider.Address, store.Redis).WithStoreTimeout(GatewayConfig.StoreTimeoutBeyondHangGuards);
        edit?.Invoke(config);
        var host = _resources.Add(new GatewayHost(config, configureServices: store.ConfigureServices, gateLogLevel: gateLogLevel));
        return host.Start().WaitUntilConnected();
    }

    [Fact]
    public async Task Get_ValidMobile_Returns200LegacyBodyAndForwardsStoredCode()
    {
        var host = StartGateway();
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(GatewayClient.LegacyOkBody, await response.Content.ReadAsByteArrayAsync());
        var sent = Assert.Single(Provider.RequestsFor(mobile));
        Assert.Equal($"/send/{mobile}", sent.Path);
        Assert.Matches("^[0-9]{6}$", sent.Code);
        Assert.InRange(await store.SendFlagLeftAsync(host, mobile), 58_000, 60_000);
        Assert.True(await store.HoldsCodeAsync(host, mobile, sent.Code!));
    }

    [Fact]
    public async Task Get_FlagPresent_Returns400LegacyBodyWithRetryAfterAndForwardsNothing()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);

        var response = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(GatewayClient.LegacyThrottledBody, await response.Content.ReadAsByteArrayAsync());
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 58, 60);
        Assert.Single(Provider.RequestsFor(mobile));
    }

    [Theory]
    [InlineData("12800138000")]
    [InlineData("1380013800")]
    [InlineData("138001380001")]
    [InlineData("1380013800a")]
    [InlineData("%2B8613800138000")]
    public async Task Get_InvalidMobile_Returns404JsonAndTouchesNothing(string mobile)
    {
        var host = StartGateway();
        var commandsBefore = await store.CommandsRunAsync(host);

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("not valid", await GatewayClient.MessageOfAsync(response), StringComparison.Ordinal);
        Assert.Empty(Provider.Requests);
        Assert.Equal(commandsBefore, await store.CommandsRunAsync(host));
        Assert.Equal(0, await store.SendFlagLeftAsync(host, Uri.UnescapeDataString(mobile)));
    }

    [Fact]
    public async Task Get_CustomCodeHeader_TheCodeGoesThereAndTheClientCannotInjectIt()
    {
        var host = StartGateway(config => config.Policy["CodeHeader"] = "X-Verification-Code");
        var mobile = TestMobiles.Next();
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/");
        request.Headers.Add("X-Verification-Code", "000000");

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30))).StatusCode);

        var sent = Assert.Single(Provider.RequestsFor(mobile));
        Assert.Empty(sent.CodeHeaderValues);
        Assert.True(await store.HoldsCodeAsync(host, mobile, sent.Headers["X-Verification-Code"]));
    }

    [Theory]
    [InlineData("8613800138000", true)]
    [InlineData("+8613800138000", true)]
    [InlineData("13800138000", false)]
    [InlineData("+86138001380001", false)]
    public async Task Get_CustomMobilePattern_MatchedAsAWholeValue(string mobile, bool valid)
    {
        // Written without anchors on purpose: the gate still matches the whole value.
        var host = StartGateway(config => config.Policy["MobilePattern"] = @"\+?861[3-9]\d{9}");

        var response = await host.CreateClient().RequestCodeAsync(Uri.EscapeDataString(mobile));

        Assert.Equal(valid ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(valid ? 1 : 0, Provider.Requests.Count);
    }

    [Fact]
    public async Task Get_ClientSendsCodeHeader_ProviderReceivesOnlyTheIssuedCode()
    {
        var host = StartGateway();
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile, injectedCode: "000000");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(Provider.RequestsFor(mobile));
        var code = Assert.Single(sent.CodeHeaderValues);
        Assert.True(await store.HoldsCodeAsync(host, mobile, code));
    }

    [Fact]
    public async Task Get_ProviderEchoesCode_ClientSeesNoTraceOfIt()
    {
        Provider.EchoCode = true;
        var host = StartGateway();
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var code = Assert.Single(Provider.RequestsFor(mobile)).Code!;
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(GatewayClient.LegacyOkBody, body);
        Assert.DoesNotContain(code, Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains(RecordingSmsProvider.CodeHeader));
        Assert.False(response.Headers.Contains("X-Provider-Echo"));
        Assert.DoesNotContain(response.Headers.Concat(response.Content.Headers), h => h.Value.Any(v => v.Contains(code, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Get_PolicyPassesProviderResponse_ClientGetsProviderBodyButNotTheCodeHeader()
    {
        Provider.EchoCode = true;
        var host = StartGateway(config => config.Policy["PassProviderResponse"] = true);
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"status\":\"sent\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains(RecordingSmsProvider.CodeHeader));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(400)]
    public async Task Get_ProviderAnswersError_Returns502AndRevokesSoTheUserCanRetryAtOnce(int providerStatus)
    {
        Provider.StatusCode = providerStatus;
        Provider.EchoCode = true;
        var host = StartGateway();
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        var failed = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Contains("SMS provider failed", await GatewayClient.MessageOfAsync(failed), StringComparison.Ordinal);
        Assert.False(failed.Headers.Contains(RecordingSmsProvider.CodeHeader));
        Assert.Equal(0, await store.SendFlagLeftAsync(host, mobile));
        Assert.False(await store.HasCodeAsync(host, mobile));

        Provider.StatusCode = 200;
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(2, Provider.RequestsFor(mobile).Count);
    }

    [Fact]
    public async Task Get_ProviderRefusesConnection_Returns502AndRevokes()
    {
        var deadProvider = RefusingAddress.Http;
        var host = StartGateway(config =>
            config.Root["ReverseProxy"]!["Clusters"]!["sms-provider"]!["Destinations"]!["provider"]!["Address"] = deadProvider.ToString());
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, await store.SendFlagLeftAsync(host, mobile));
        Assert.False(await store.HasCodeAsync(host, mobile));
    }

    [Fact]
    public async Task Get_ProviderNeverAnswers_Returns504WithRetryAfterAndKeepsFlagAndCode()
    {
        // The provider takes the send and never answers: only the gateway's activity timeout can end the request.
        Provider.AnswerWhen = new TaskCompletionSource();
        var host = StartGateway(config => config.WithProviderTimeout(TimeSpan.FromSeconds(1)));
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        // The provider may have sent the SMS before it went quiet: its code must still verify, and a retry waits.
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("did not answer in time", await GatewayClient.MessageOfAsync(response), StringComparison.Ordinal);
        Assert.InRange(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 50, 60);
        var sent = Assert.Single(Provider.RequestsFor(mobile));
        Assert.True(await store.SendFlagLeftAsync(host, mobile) > 0);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.CreateClient().RequestCodeAsync(mobile)).StatusCode);
        Assert.True(await store.HoldsCodeAsync(host, mobile, sent.Code!));
    }

    [Fact]
    public async Task Get_ClientSendsCookiesCredentialsQueryAndBody_ProviderGetsNoneOfThem()
    {
        var host = StartGateway();
        var mobile = TestMobiles.Next();
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/?mobile=13900000000&token=secret")
        {
            Content = new StringContent("password=hunter2", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("Cookie", "sessionid=abc123");
        request.Headers.Add("Authorization", "Bearer client-token");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Api-Key", "client-key");
        request.Headers.Add("X-Request-Id", "r-1");

        var response = await host.CreateClient().SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(Provider.RequestsFor(mobile));
        Assert.Equal($"/send/{mobile}", sent.Path);
        Assert.Equal("", sent.Query);
        Assert.Equal(0, sent.BodyLength);
        foreach (var header in new[] { "Cookie", "Authorization", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Api-Key", "X-Request-Id", "Content-Type", "Content-Length" })
        {
            Assert.False(sent.Headers.ContainsKey(header), $"the provider received {header}");
        }

        Assert.True(await store.HoldsCodeAsync(host, mobile, sent.Code!));
    }

    [Fact]
    public async Task Get_PolicyListsClientHeaders_ProviderGetsThoseOnly()
    {
        var host = StartGateway(config => config.Policy["ProviderRequestHeaders"] = new System.Text.Json.Nodes.JsonArray("X-Request-Id", "Accept-Language"));
        var mobile = TestMobiles.Next();
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/");
        request.Headers.Add("X-Request-Id", "r-2");
        request.Headers.Add("Accept-Language", "zh-CN");
        request.Headers.Add("Cookie", "sessionid=abc123");

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30))).StatusCode);

        var sent = Assert.Single(Provider.RequestsFor(mobile));
        Assert.Equal("r-2", sent.Headers["X-Request-Id"]);
        Assert.Equal("zh-CN", sent.Headers["Accept-Language"]);
        Assert.False(sent.Headers.ContainsKey("Cookie"));
    }

    [Fact]
    public async Task Get_ProviderAnswered2xxButItsAnswerBreaksMidCopy_KeepsTheCode()
    {
        var abort = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Provider.AbortMidBodyWhen = abort;
        var host = StartGateway(config => config.Policy["PassProviderResponse"] = true, gateLogLevel: LogLevel.Debug);
        var mobile = TestMobiles.Next();

        // The client has the provider's 200 before the provider breaks off: the SMS was accepted, then the copy failed.
        using var response = await host.CreateClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/"), HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        abort.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        // Once the gate has decided, the code must still verify, however the copy of the answer ended.
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(
            host.Logs.GetSnapshot().Any(l => l.Id.Name is "CodeSent" or "ProviderFailed" or "RevokeFailed"))), host.Logs.GetSnapshot().Describe());
        var sent = Assert.Single(Provider.RequestsFor(mobile));
        Assert.DoesNotContain(host.Logs.GetSnapshot(), l => l.Id.Name == "ProviderFailed");
        Assert.True(await store.SendFlagLeftAsync(host, mobile) > 0);
        Assert.True(await store.HoldsCodeAsync(host, mobile, sent.Code!));
    }

    [Fact]
    public async Task Get_ProviderFailsAfterTheSendIntervalPassed_StillRevokesTheCode()
    {
        // A provider slower than the interval: the flag has expired by the time it fails, the code has not.
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Provider.AnswerWhen = answer;
        Provider.StatusCode = 500;
        var host = StartGateway();
        var mobile = TestMobiles.Next();

        var pending = host.CreateClient().RequestCodeAsync(mobile);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Provider.RequestsFor(mobile).Count == 1)));
        await store.PassSendIntervalAsync(host, mobile);
        Assert.Equal(0, await store.SendFlagLeftAsync(host, mobile));
        answer.SetResult();
        var response = await pending;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Single(Provider.RequestsFor(mobile));
        Assert.False(await store.HasCodeAsync(host, mobile));
        Assert.True(await store.CodeStateGoneAsync(host, mobile));
    }

    [Fact]
    public async Task Get_RepeatWithTheSameIdempotencyKey_GetsTheFirstAnswerAgainAndNoSecondSms()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        var first = await SendWithKeyAsync(client, mobile, "order-42:attempt");
        var repeat = await SendWithKeyAsync(client, mobile, "order-42:attempt");
        var otherKey = await SendWithKeyAsync(client, mobile, "order-43");
        var noKey = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(GatewayClient.LegacyOkBody, await repeat.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.BadRequest, otherKey.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        var sent = Assert.Single(Provider.RequestsFor(mobile));
        Assert.True(await store.HoldsCodeAsync(host, mobile, sent.Code!));

        // Once the interval is over the key means nothing: a new request sends a new code.
        await store.PassSendIntervalAsync(host, mobile);
        Assert.Equal(HttpStatusCode.OK, (await SendWithKeyAsync(client, mobile, "order-42:attempt")).StatusCode);
        Assert.Equal(2, Provider.RequestsFor(mobile).Count);
    }

    [Fact]
    public async Task Get_RepeatWhileTheFirstIsInFlightAndThenFails_GetsTheFailureNotASent()
    {
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Provider.AnswerWhen = answer;
        Provider.StatusCode = 500;
        var host = StartGateway();
        using var storeCalls = new MetricCollector<double>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.store.duration");
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        // The provider holds the first send's answer until the store has answered the repeat's call too (a repeat of a
        // send in flight): from there the repeat waits for the first.
        var first = SendWithKeyAsync(client, mobile, "k-1");
        await Provider.Received.Task.WaitAsync(HangGuard);
        var repeat = SendWithKeyAsync(client, mobile, "k-1");
        await storeCalls.WaitForMeasurementsAsync(2).WaitAsync(HangGuard);
        answer.SetResult();

        // The first send failed and was rolled back: the repeat, which waited for it, is not told "sent".
        Assert.Equal(HttpStatusCode.BadGateway, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, (await repeat).StatusCode);
        Assert.Single(Provider.RequestsFor(mobile));
        Assert.False(await store.HasCodeAsync(host, mobile));
    }

    private static Task<HttpResponseMessage> SendWithKeyAsync(HttpClient client, string mobile, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/");
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Get_ClientAbortsWhileForwarding_KeepsTheCodeTheProviderMayHaveSent()
    {
        // The provider never answers: the client's abort is what ends the send.
        Provider.AnswerWhen = new TaskCompletionSource();
        var host = StartGateway();
        var mobile = TestMobiles.Next();
        using var abort = new CancellationTokenSource();

        var pending = host.CreateClient().GetAsync(new Uri($"/sms_codes/{mobile}/", UriKind.Relative), abort.Token);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Provider.RequestsFor(mobile).Count == 1)));
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(host.Logs.GetSnapshot().Any(l => l.Id.Name == "ClientAborted"))));
        Assert.True(await store.HoldsCodeAsync(host, mobile, Provider.RequestsFor(mobile).Single().Code!));
    }

    [Fact]
    public async Task Get_HundredsInParallelForOneMobile_ForwardExactlyOne()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        client.Timeout = GatewayClient.BurstHangGuard;
        var mobile = TestMobiles.Next();

        var responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => client.RequestCodeAsync(mobile, within: GatewayClient.BurstHangGuard)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(299, responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest));
        Assert.Single(Provider.RequestsFor(mobile));
    }

    [Fact]
    public async Task Get_AnyOutcome_LogsNeverHoldTheCodeAndMaskTheMobile()
    {
        var host = StartGateway(gateLogLevel: LogLevel.Trace);
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        await client.RequestCodeAsync(mobile);
        await client.RequestCodeAsync(mobile);
        Provider.StatusCode = 500;
        var failingMobile = TestMobiles.Next();
        await client.RequestCodeAsync(failingMobile);

        var codes = Provider.Requests.Select(r => r.Code!).ToList();
        Assert.Equal(2, codes.Count);
        var logs = host.Logs.GetSnapshot();
        Assert.Contains(logs, l => l.Message.Contains(mobile[..3] + "****" + mobile[^4..], StringComparison.Ordinal));
        foreach (var log in logs.Select(l => l.FullText()))
        {
            foreach (var code in codes)
            {
                Assert.DoesNotContain(code, log, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(mobile, log, StringComparison.Ordinal);
            Assert.DoesNotContain(failingMobile, log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Get_UngatedRoute_IsProxiedUnchanged()
    {
        var host = StartGateway();
        var mobile = TestMobiles.Next();
        var commandsBefore = await store.CommandsRunAsync(host);

        // The catch-all route points at the provider in these tests: a path under /send/ reaches it untouched.
        var response = await host.CreateClient().GetAsync(new Uri($"/send/{mobile}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"status\":\"sent\"}", await response.Content.ReadAsStringAsync());
        Assert.Empty(Assert.Single(Provider.RequestsFor(mobile)).CodeHeaderValues);
        Assert.Equal(commandsBefore, await store.CommandsRunAsync(host));
        Assert.Equal(0, await store.SendFlagLeftAsync(host, mobile));
    }

    [Theory]
    [InlineData("MaxPerHour", 3, "sms_hour_{0}", 3600)]
    [InlineData("MaxPerDay", 2, "sms_day_{0}", 86400)]
    public async Task Get_MobileCapReached_NthPassesAndNextIsRefusedWithLegacyBodyUntilTheWindowFrees(string option, int cap, string counterKey, int windowSeconds)
    {
        var host = StartGateway(config => config.Policy[option] = cap);
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        for (var i = 0; i < cap; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
            await store.PassSendIntervalAsync(host, mobile);
        }

        var refused = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(GatewayClient.LegacyThrottledBody, await refused.Content.ReadAsByteArrayAsync());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, windowSeconds - 300, windowSeconds);
        Assert.Equal(cap, Provider.RequestsFor(mobile).Count);
        Assert.Equal(cap, await store.CountOfAsync(host, string.Format(System.Globalization.CultureInfo.InvariantCulture, counterKey, mobile)));
        Assert.Equal(0, await store.SendFlagLeftAsync(host, mobile));
    }

    [Fact]
    public async Task Get_RefusedForInterval_CountsNowhere()
    {
        var host = StartGateway(EnableEveryCap);
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);

        Assert.Equal(1, await store.CountOfAsync(host, $"sms_hour_{mobile}"));
        Assert.Equal(1, await store.CountOfAsync(host, $"sms_day_{mobile}"));
        Assert.Equal(1, await store.CountOfAsync(host, "sms_ip_hour_unknown"));
        Assert.Equal(1, await store.CountOfAsync(host, $"sms_spend_{GatewayConfig.PolicyName}"));
    }

    [Fact]
    public async Task Get_IpCapReached_OtherMobilesFromTheSameClientAreRefused()
    {
        var host = StartGateway(config => config.Policy["MaxPerIpPerHour"] = 2);
        var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        var thirdMobile = TestMobiles.Next();
        var refused = await client.RequestCodeAsync(thirdMobile);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(GatewayClient.LegacyThrottledBody, await refused.Content.ReadAsByteArrayAsync());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 3300, 3600);
        Assert.Empty(Provider.RequestsFor(thirdMobile));
    }

    [Fact]
    public async Task Get_SpendGuardReached_Answers503AndLogsAWarning()
    {
        var host = StartGateway(config => config.Policy["MaxSendsPerMinute"] = 2);
        var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        var thirdMobile = TestMobiles.Next();
        var refused = await client.RequestCodeAsync(thirdMobile);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("paused", await GatewayClient.MessageOfAsync(refused), StringComparison.Ordinal);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Empty(Provider.RequestsFor(thirdMobile));
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Id.Name == "SpendGuardReached");
        Assert.Equal(0, await store.SendFlagLeftAsync(host, thirdMobile));
    }

    [Fact]
    public async Task Get_ProviderFails_RollsEveryCountBackWithTheFlag()
    {
        var host = StartGateway(EnableEveryCap);
        var client = host.CreateClient();
        var sent = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(sent)).StatusCode);
        Provider.StatusCode = 500;
        var failed = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.BadGateway, (await client.RequestCodeAsync(failed)).StatusCode);

        Assert.Equal(0, await store.CountOfAsync(host, $"sms_hour_{failed}"));
        Assert.Equal(0, await store.CountOfAsync(host, $"sms_day_{failed}"));
        Assert.Equal(1, await store.CountOfAsync(host, "sms_ip_hour_unknown"));
        Assert.Equal(1, await store.CountOfAsync(host, $"sms_spend_{GatewayConfig.PolicyName}"));
        Assert.Equal(1, await store.CountOfAsync(host, $"sms_hour_{sent}"));
    }

    private static void EnableEveryCap(GatewayConfig config)
    {
        config.Policy["MaxPerHour"] = 5;
        config.Policy["MaxPerDay"] = 10;
        config.Policy["MaxPerIpPerHour"] = 50;
        config.Policy["MaxSendsPerMinute"] = 100;
    }
}
