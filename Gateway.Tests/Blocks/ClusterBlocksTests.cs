using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gateway.Middleware.Diagnostics;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StackExchange.Redis;

namespace Gateway.Tests.Blocks;

/// <summary>
/// Number blocks on a real Redis Cluster through the real host, as <see cref="BlocksTests"/> runs them on one server:
/// the block's keys in a slot of their own, checked and counted beside the mobile's script, the answers combined by
/// the gateway. Each test uses blocks of its own, so that one cluster serves the class.
/// </summary>
public sealed partial class ClusterBlocksTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>, IAsyncLifetime
{
    private const int ManagementPort = 5998;
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    private IDatabase Db => cluster.Cluster.Admin.GetDatabase(0);

    public async Task InitializeAsync() => _provider = _resources.Add(await RecordingSmsProvider.StartAsync());

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task Send_BlockPastMinSendsWithoutVerifications_403AndTheMobilesIssueTakenBack()
    {
        var client = Start(blocks => blocks["MinConversion"] = 0.5).CreateClient();
        var mobiles = Block("139000", 5);
        Assert.NotEqual(cluster.Cluster.HashSlot(CounterKey("8613900")), cluster.Cluster.HashSlot(FlagKey(mobiles[3])));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobiles[i])).StatusCode);
        }

        var refused = await client.RequestCodeAsync(mobiles[3]);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 3500, 3600);
        Assert.Contains("paused", await GatewayClient.MessageOfAsync(refused), StringComparison.Ordinal);
        Assert.Empty(_provider.RequestsFor(mobiles[3]));
        await AssertNothingLeftOfAsync(mobiles[3]);
        Assert.Equal(3, (long)await Db.HashGetAsync(CounterKey("8613900"), "sends"));
        Assert.True(await Db.KeyExistsAsync($"sms_blocked_{{8613900}}"));
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(Block("137000", 1)[0])).StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_VerifiedMobileInBlockedBlock_IsRememberedAndStillGetsItsCode(bool onLegacyRoute)
    {
        var client = Start(blocks =>
        {
            blocks["MinConversion"] = 0.5;
            blocks["MinSends"] = 4;
        }).CreateClient();
        var (mobiles, block) = onLegacyRoute ? (Block("136000", 5), "8613600") : (Block("135000", 5), "8613500");
        var remembered = mobiles[0];
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(remembered)).StatusCode);
        var code = _provider.RequestsFor(remembered)[^1].Code!;
        Assert.Equal(HttpStatusCode.OK, (await (onLegacyRoute ? LegacyVerifyAsync(client, remembered, code) : VerifyAsync(client, remembered, code))).StatusCode);
        Assert.True(await GatewayClient.EventuallyAsync(async () => (long?)await Db.HashGetAsync(CounterKey(block), "verified") == 1));
        Assert.True(await Db.KeyExistsAsync($"sms_verified_{{{remembered}}}"));
        for (var i = 1; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobiles[i])).StatusCode);
        }

        // 4 sends, 1 verification: 0.25 < 0.5, so the block is blocked for everyone but the mobile that verified.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync(mobiles[4])).StatusCode);
        await Db.KeyDeleteAsync(FlagKey(remembered));
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(remembered)).StatusCode);

        Assert.Equal(2, _provider.RequestsFor(remembered).Count);
        Assert.Equal(5, (long)await Db.HashGetAsync(CounterKey(block), "sends"));
        await AssertNothingLeftOfAsync(mobiles[4]);
    }

    [Fact]
    public async Task Send_BlockCapReached_403AndTheRefusedSendNotCounted()
    {
        var client = Start(blocks => blocks["MaxPerHour"] = 2).CreateClient();
        var mobiles = Block("134000", 3);

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobiles[0])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobiles[1])).StatusCode);
        var refused = await client.RequestCodeAsync(mobiles[2]);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3600);
        Assert.Empty(_provider.RequestsFor(mobiles[2]));
        Assert.Equal(2, (long)await Db.StringGetAsync("sms_block_hour_{8613400}"));
        await AssertNothingLeftOfAsync(mobiles[2]);
    }

    [Fact]
    public async Task Send_ShadowMode_LetsTheSendPassCountsItAndStillListsTheBlock()
    {
        var host = Start(blocks =>
        {
            blocks["MinConversion"] = 0.5;
            blocks["Mode"] = "Shadow";
        });
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");
        var client = host.CreateClient();

        foreach (var mobile in Block("133000", 5))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        }

        await requests.WaitForMeasurementsAsync(7).WaitAsync(TimeSpan.FromSeconds(10));
        var results = requests.GetMeasurementSnapshot().Select(m => (string)m.Tags["sms_code_gate.result"]!).ToList();
        Assert.Equal(2, results.Count(r => r == SmsCodeGateResults.ShadowBlockRefused));
        Assert.Equal(5, results.Count(r => r == SmsCodeGateResults.Issued));
        Assert.Equal(5, (long)await Db.HashGetAsync(CounterKey("8613300"), "sends"));
        var listed = await ManagementAsync(host, HttpMethods.Get, "/sms-code-gate/blocks");
        var block = Assert.Single(JsonNode.Parse(listed)!["blocks"]!.AsArray(), b => (string?)b!["block"] == "8613300")!;
        Assert.Equal(("8613300", 3L, 0L), ((string?)block["block"], (long)block["sends"]!, (long)block["verifications"]!));
    }

    [Fact]
    public async Task Verify_WrongThenRightCode_CountsOneVerificationForTheBlockInItsSlot()
    {
        var client = Start(blocks => blocks["MinConversion"] = 0.5).CreateClient();
        var mobile = Block("132000", 1)[0];
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        var code = _provider.RequestsFor(mobile)[^1].Code!;

        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, mobile, code == "000000" ? "111111" : "000000")).StatusCode);
        Assert.False(await Db.HashExistsAsync(CounterKey("8613200"), "verified"));
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(client, mobile, code)).StatusCode);

        Assert.Equal(1, (long)await Db.HashGetAsync(CounterKey("8613200"), "verified"));
        Assert.InRange((long)(await Db.KeyTimeToLiveAsync(CounterKey("8613200")))!.Value.TotalSeconds, 3500, 3600);
        Assert.InRange((long)(await Db.KeyTimeToLiveAsync($"sms_verified_{{{mobile}}}"))!.Value.TotalDays, 29, 30);
    }

    [Fact]
    public async Task Send_SameMobileWithinTheInterval_TheRefusedSendIsTakenBackFromTheBlock()
    {
        var client = Start(blocks =>
        {
            blocks["MinConversion"] = 0.5;
            blocks["MaxPerHour"] = 10;
        }).CreateClient();
        var mobile = Block("131000", 1)[0];

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);

        Assert.Equal(1, (long)await Db.HashGetAsync(CounterKey("8613100"), "sends"));
        Assert.Equal(1, (long)await Db.StringGetAsync("sms_block_hour_{8613100}"));
    }

    [Fact]
    public async Task Send_ProviderFails_TheRevokeTakesTheBlocksSendBack()
    {
        var client = Start(blocks =>
        {
            blocks["MinConversion"] = 0.5;
            blocks["MaxPerHour"] = 10;
        }).CreateClient();
        var mobile = Block("130000", 1)[0];
        _provider.StatusCode = StatusCodes.Status500InternalServerError;

        Assert.Equal(HttpStatusCode.BadGateway, (await client.RequestCodeAsync(mobile)).StatusCode);

        await AssertNothingLeftOfAsync(mobile);
        Assert.False(await Db.HashExistsAsync(CounterKey("8613000"), "sends"));
        Assert.False(await Db.KeyExistsAsync("sms_block_hour_{8613000}"));
    }

    [Fact]
    public async Task SendAndVerify_BlocksWithoutARuleOn_NeitherTouchesTheBlocksKeys()
    {
        var client = Start(_ => { }).CreateClient();
        var mobile = Block("155000", 1)[0];

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(client, mobile, _provider.RequestsFor(mobile)[^1].Code!)).StatusCode);

        Assert.False(await Db.KeyExistsAsync(CounterKey("8615500")));
    }

    /// <summary><paramref name="count"/> mobiles of one 7-digit block: <c>+86</c> and the first five digits given.</summary>
    private static string[] Block(string first6, int count) =>
        [.. Enumerable.Range(1, count).Select(i => first6 + (10000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static string FlagKey(string mobile) => $"send_flag_{{{mobile}}}";

    private static string CounterKey(string block) => $"sms_block_{{{block}}}";

    /// <summary>No flag, code, state or count of <paramref name="mobile"/>: nothing that would stand for an SMS never sent.</summary>
    private async Task AssertNothingLeftOfAsync(string mobile)
    {
        foreach (var key in new[] { FlagKey(mobile), $"sms_{{{mobile}}}", $"sms_state_{{{mobile}}}", $"sms_hour_{{{mobile}}}", $"sms_day_{{{mobile}}}" })
        {
            Assert.False(await Db.KeyExistsAsync(key), $"{key} was left behind.");
        }
    }

    private GatewayHost Start(Action<JsonObject> blocks, Action<GatewayConfig>? edit = null)
    {
        var config = new GatewayConfig(_provider.Address, cluster.Cluster.ConnectionString).WithVerifyRoutes();
        config.Policy["Database"] = 0;
        foreach (var (name, template) in new[] { ("SendFlagKey", "send_flag_"), ("CodeKey", "sms_"), ("CodeStateKey", "sms_state_"), ("HourCounterKey", "sms_hour_"), ("DayCounterKey", "sms_day_"), ("VerifyFailureCounterKey", "sms_verify_failures_") })
        {
            config.Policy[name] = template + "{{{mobile}}}";
        }

        config.Policy["MaxPerHour"] = 5;
        config.Policy["MaxPerDay"] = 10;
        config.Policy["CountryCode"] = "86";
        var section = new JsonObject
        {
            ["PrefixLength"] = 7,
            ["MinSends"] = 3,
            ["CounterKey"] = "sms_block_{{{block}}}",
            ["HourCounterKey"] = "sms_block_hour_{{{block}}}",
            ["BlockedKey"] = "sms_blocked_{{{block}}}",
            ["RememberedKey"] = "sms_verified_{{{mobile}}}",
        };
        blocks(section);
        config.Policy["Blocks"] = section;
        edit?.Invoke(config);
        var settings = new Dictionary<string, string?> { ["Management:Port"] = ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return _resources.Add(new GatewayHost(config, settings)).Start().WaitUntilConnected();
    }

    private static Task<HttpResponseMessage> VerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsJsonAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative), new { code }).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>The legacy app's verify view (the recording server answers 200: the app accepted the code).</summary>
    private static Task<HttpResponseMessage> LegacyVerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new FormUrlEncodedContent([new("mobile", mobile), new("sms_code", code)])).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>A request to the management endpoints, as if it arrived on their port; returns the body.</summary>
    private static async Task<string> ManagementAsync(GatewayHost host, string method, string path)
    {
        var context = await host.Server.SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = path;
            c.Connection.LocalPort = ManagementPort;
        }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        using var reader = new StreamReader(context.Response.Body);
        return await reader.ReadToEndAsync();
    }
}
