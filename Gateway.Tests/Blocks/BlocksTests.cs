using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Blocks;

/// <summary>
/// Number blocks through the real host, on a real redis-server and on the in-process store: the block cap, the
/// conversion guard with its warm-up, remembered numbers, shadow mode, and the management endpoint on its own port.
/// </summary>
public sealed class BlocksTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const int ManagementPort = 5999;
    private readonly TestResources _resources = new();
    private readonly FakeTimeProvider _time = new();
    private RecordingSmsProvider _provider = null!;
    private bool _onRedis;

    public async Task InitializeAsync()
    {
        await redis.Server.Server.FlushAllDatabasesAsync();
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_BlockPastMinSendsWithoutVerifications_RefusedWith403AndNoProviderCall(bool onRedis)
    {
        var client = Start(onRedis, blocks => blocks["MinConversion"] = 0.5).CreateClient();
        var mobiles = Block("139000", 5);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobiles[i])).StatusCode);
        }

        var refused = await client.RequestCodeAsync(mobiles[3]);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("paused", await GatewayClient.MessageOfAsync(refused), StringComparison.Ordinal);
        Assert.Empty(_provider.RequestsFor(mobiles[3]));
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(Block("137000", 1)[0])).StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_WarmUp_FewerThanMinSendsNeverBlocks(bool onRedis)
    {
        var client = Start(onRedis, blocks =>
        {
            blocks["MinConversion"] = 1;
            blocks["MinSends"] = 4;
        }).CreateClient();

        foreach (var mobile in Block("136000", 4))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task Send_VerifiedMobileInBlockedBlock_IsRememberedAndStillGetsItsCode(bool onRedis, bool onLegacyRoute)
    {
        var client = Start(onRedis, blocks =>
        {
            blocks["MinConversion"] = 0.5;
            blocks["MinSends"] = 4;
        }).CreateClient();
        var mobiles = Block("135000", 5);
        var remembered = mobiles[0];
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(remembered)).StatusCode);
        var code = _provider.RequestsFor(remembered)[^1].Code!;
        Assert.Equal(HttpStatusCode.OK, (await (onLegacyRoute ? LegacyVerifyAsync(client, remembered, code) : VerifyAsync(client, remembered, code))).StatusCode);
        for (var i = 1; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobiles[i])).StatusCode);
        }

        // 4 sends, 1 verification: 0.25 < 0.5, so the block is blocked for everyone but the mobile that verified.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync(mobiles[4])).StatusCode);
        await PassSendIntervalAsync(remembered);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(remembered)).StatusCode);
        Assert.Equal(2, _provider.RequestsFor(remembered).Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_BlockCapReached_RefusedWith403(bool onRedis)
    {
        var client = Start(onRedis, blocks => blocks["MaxPerHour"] = 2).CreateClient();
        var mobiles = Block("134000", 3);

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobiles[0])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobiles[1])).StatusCode);
        var refused = await client.RequestCodeAsync(mobiles[2]);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3600);
        Assert.Empty(_provider.RequestsFor(mobiles[2]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_ShadowMode_LetsTheSendPassAndStillListsTheBlock(bool onRedis)
    {
        var host = Start(onRedis, blocks =>
        {
            blocks["MinConversion"] = 0.5;
            blocks["Mode"] = "Shadow";
        });
        var client = host.CreateClient();

        foreach (var mobile in Block("133000", 5))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        }

        var listed = await ManagementAsync(host, HttpMethods.Get, "/sms-code-gate/blocks", ManagementPort);
        Assert.Equal(200, listed.Response.StatusCode);
        var block = Assert.Single(JsonNode.Parse(listed.Response.Body)!["blocks"]!.AsArray())!;
        Assert.Equal(("8613300", 3L, 0L), ((string?)block["block"], (long)block["sends"]!, (long)block["verifications"]!));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Management_ListAndDelete_UnblocksTheBlock(bool onRedis)
    {
        var host = Start(onRedis, blocks => blocks["MinConversion"] = 0.5);
        var client = host.CreateClient();
        var mobiles = Block("132000", 5);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobiles[i])).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync(mobiles[3])).StatusCode);

        var listed = await ManagementAsync(host, HttpMethods.Get, "/sms-code-gate/blocks", ManagementPort);
        var block = Assert.Single(JsonNode.Parse(listed.Response.Body)!["blocks"]!.AsArray())!;
        Assert.Equal(("test", "8613200", 3L, 0L), ((string?)block["policy"], (string?)block["block"], (long)block["sends"]!, (long)block["verifications"]!));
        Assert.InRange((long)block["secondsLeft"]!, 1, 3600);

        Assert.Equal(204, (await ManagementAsync(host, HttpMethods.Delete, "/sms-code-gate/blocks/test/8613200", ManagementPort)).Response.StatusCode);
        Assert.Equal(404, (await ManagementAsync(host, HttpMethods.Delete, "/sms-code-gate/blocks/test/8613200", ManagementPort)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobiles[4])).StatusCode);
    }

    [Fact]
    public async Task Management_PublicPort_Answers404AndDeletesNothing()
    {
        var host = Start(true, blocks => blocks["MinConversion"] = 0.5);
        var client = host.CreateClient();

        var viaClient = await client.GetAsync(new Uri("/sms-code-gate/blocks", UriKind.Relative));
        var otherPort = await ManagementAsync(host, HttpMethods.Delete, "/sms-code-gate/blocks/test/8613100", 5000);

        Assert.Equal(HttpStatusCode.NotFound, viaClient.StatusCode);
        Assert.Equal(404, otherPort.Response.StatusCode);
        Assert.Empty(_provider.Requests);
    }

    [Theory]
    [InlineData("MinConversion", "1.5", "SmsCodeGate:Policies:test:Blocks:MinConversion must be 0 to 1")]
    [InlineData("PrefixLength", "16", "SmsCodeGate:Policies:test:Blocks:PrefixLength must be 1 to 15")]
    [InlineData("BlockFor", "-00:01:00", "SmsCodeGate:Policies:test:Blocks:BlockFor must be positive")]
    [InlineData("CounterKey", "sms_block", "SmsCodeGate:Policies:test:Blocks:CounterKey must contain the placeholder {block}")]
    public async Task Start_BadBlockSetting_FailsNamingTheKey(string key, string value, string expected)
    {
        var config = Config(onRedis: false, blocks => blocks[key] = value);
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BlocksWithoutCountryCode_FailsNamingTheKey()
    {
        var config = Config(onRedis: false, blocks => blocks["MinConversion"] = 0.5);
        config.Policy.Remove("CountryCode");
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains("SmsCodeGate:Policies:test:CountryCode must be set when SmsCodeGate:Policies:test:Blocks:PrefixLength is", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary><paramref name="count"/> mobiles of one 7-digit block: <c>+86</c> and the first five digits given.</summary>
    private static string[] Block(string first6, int count) =>
        [.. Enumerable.Range(1, count).Select(i => first6 + (10000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private GatewayConfig Config(bool onRedis, Action<JsonObject> blocks)
    {
        var config = new GatewayConfig(_provider.Address, onRedis ? redis.Server.ConnectionString : null).WithVerifyRoutes()
            .WithStoreTimeout(GatewayConfig.StoreTimeoutForAFakeClock);
        config.Policy["CountryCode"] = "86";
        var section = new JsonObject { ["PrefixLength"] = 7, ["MinSends"] = 3 };
        blocks(section);
        config.Policy["Blocks"] = section;
        return config;
    }

    private GatewayHost Start(bool onRedis, Action<JsonObject> blocks)
    {
        _onRedis = onRedis;
        var settings = new Dictionary<string, string?> { ["Management:Port"] = ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return _resources.Add(new GatewayHost(Config(onRedis, blocks), settings, services => services.AddSingleton<TimeProvider>(_time)).Start());
    }

    /// <summary>Lets the mobile's send flag lapse: the fake clock for the in-process store, the key itself on Redis (Redis keeps its own time).</summary>
    private async Task PassSendIntervalAsync(string mobile)
    {
        _time.Advance(TimeSpan.FromSeconds(61));
        if (_onRedis)
        {
            await redis.Server.Database(2).KeyDeleteAsync($"send_flag_{mobile}");
        }
    }

    private static Task<HttpResponseMessage> VerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsJsonAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative), new { code }).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>The legacy app's verify view (the recording server answers 200: the app accepted the code).</summary>
    private static Task<HttpResponseMessage> LegacyVerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new FormUrlEncodedContent([new("mobile", mobile), new("sms_code", code)])).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>A request to the management endpoints as if it arrived on <paramref name="port"/>.</summary>
    private static async Task<(HttpContextResponse Response, int Port)> ManagementAsync(GatewayHost host, string method, string path, int port)
    {
        var context = await host.Server.SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = path;
            c.Connection.LocalPort = port;
        }).WaitAsync(TimeSpan.FromSeconds(30));
        using var reader = new StreamReader(context.Response.Body);
        return (new HttpContextResponse(context.Response.StatusCode, await reader.ReadToEndAsync()), port);
    }

    private sealed record HttpContextResponse(int StatusCode, string Body);
}
