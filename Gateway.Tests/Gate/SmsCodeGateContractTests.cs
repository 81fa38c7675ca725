using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;
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
}
