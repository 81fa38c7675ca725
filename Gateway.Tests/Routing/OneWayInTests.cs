using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Routing;

/// <summary>
/// Hostile spellings of the gated path, sent byte for byte to the real host on Kestrel, with the catch-all route of
/// the shipped yarp.json in place (it leads to the recording provider's other paths, standing in for the legacy
/// app). No method, case, encoding or stray character may reach the catch-all, the provider or Redis without the gate.
/// </summary>
public sealed class OneWayInTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;
    private Uri _gateway = null!;

    public async Task InitializeAsync()
    {
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
        var host = _resources.Add(new GatewayHost(new GatewayConfig(_provider.Address, redis.Server.ConnectionString)).StartOnKestrel());
        _gateway = host.CreateClient().BaseAddress!;
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Theory]
    [InlineData("HEAD")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    [InlineData("OPTIONS")]
    [InlineData("PROPFIND")]
    public async Task OtherMethod_OnTheGatedPath_Answers405WithAllowAndReachesNothing(string method)
    {
        var mobile = TestMobiles.Next();
        var before = await redis.Server.CommandsRunAsync();

        var response = await RawHttp.SendAsync(_gateway, method, $"/sms_codes/{mobile}/", body: method is "POST" or "PUT" or "PATCH" ? "mobile=" + mobile : null);

        Assert.Equal(405, response.Status);
        Assert.Equal("GET", response.Headers["Allow"]);
        if (method != "HEAD")
        {
            Assert.StartsWith("application/json", response.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.Contains("\"message\":\"Method not allowed: this route accepts GET.\"", response.Body, StringComparison.Ordinal);
        }

        await AssertReachedNothingAsync(before);
    }

    [Theory]
    [InlineData("/sms_codes/{0}/%00")]
    [InlineData("/sms_codes/{0}%00/")]
    [InlineData("/sms_codes/%00{0}/")]
    [InlineData("/%00")]
    public async Task Get_NulInThePath_IsRefusedByKestrelAndReachesNothing(string template)
    {
        var before = await redis.Server.CommandsRunAsync();

        var response = await RawHttp.SendAsync(_gateway, "GET", string.Format(System.Globalization.CultureInfo.InvariantCulture, template, TestMobiles.Next()));

        Assert.Equal(400, response.Status);
        await AssertReachedNothingAsync(before);
    }

    [Fact]
    public async Task Get_MethodInLowerCase_IsTheSameMethodAndGated()
    {
        // Methods are matched as ASP.NET Core routing and Django both do, ignoring case: "get" goes through the gate.
        var mobile = TestMobiles.Next();

        var first = await RawHttp.SendAsync(_gateway, "get", $"/sms_codes/{mobile}/");
        var second = await RawHttp.SendAsync(_gateway, "Get", $"/sms_codes/{mobile}/");

        Assert.Equal(200, first.Status);
        Assert.Equal(400, second.Status);
        Assert.Single(_provider.RequestsFor(mobile));
        Assert.Empty(_provider.OtherRequests);
    }

    [Theory]
    [InlineData("/SMS_CODES/{0}/")]
    [InlineData("/Sms_Codes/{0}/")]
    [InlineData("/sms_codes/{0}")]
    [InlineData("/sms%5Fcodes/{0}/")]
    [InlineData("/sms_codes/./{0}/")]
    [InlineData("/x/../sms_codes/{0}/")]
    [InlineData("/sms_codes/%3{1}{2}/")]
    public async Task Get_SpellingThatRoutingMatches_IsGatedOnce(string template)
    {
        var mobile = TestMobiles.Next();
        var target = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, mobile, mobile[0], mobile[1..]);

        var first = await RawHttp.SendAsync(_gateway, "GET", target);
        var second = await RawHttp.SendAsync(_gateway, "GET", $"/sms_codes/{mobile}/");

        Assert.Equal(200, first.Status);
        Assert.Equal(400, second.Status);
        Assert.Single(_provider.RequestsFor(mobile));
        Assert.Empty(_provider.OtherRequests);
    }

    [Theory]
    [InlineData("//sms_codes/{0}/")]
    [InlineData("/sms_codes//{0}/")]
    [InlineData("/sms_codes%2F{0}/")]
    [InlineData("/sms_codes%2f{0}%2F")]
    [InlineData("/%2Fsms_codes/{0}/")]
    [InlineData("/sms_codes%5C{0}%5C")]
    [InlineData("/sms_codes/{0}/%0A")]
    [InlineData("/sms_codes/{0}/%0D%0A")]
    public async Task Get_SpellingThatOnlyALenientBackendMatches_Answers400AndReachesNothing(string template)
    {
        var mobile = TestMobiles.Next();
        var before = await redis.Server.CommandsRunAsync();

        var response = await RawHttp.SendAsync(_gateway, "GET", string.Format(System.Globalization.CultureInfo.InvariantCulture, template, mobile));

        Assert.Equal(400, response.Status);
        Assert.StartsWith("application/json", response.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Contains("not in canonical form", response.Body, StringComparison.Ordinal);
        await AssertReachedNothingAsync(before);
    }

    [Theory]
    [InlineData("%EF%BC%91%EF%BC%93%EF%BC%98%EF%BC%90%EF%BC%90%EF%BC%91%EF%BC%93%EF%BC%98%EF%BC%90%EF%BC%90%EF%BC%90")] // full-width
    [InlineData("%D9%A1%D9%A3%D9%A8%D9%A0%D9%A0%D9%A1%D9%A3%D9%A8%D9%A0%D9%A0%D9%A0")] // Arabic-Indic
    [InlineData("%E0%A5%A7%E0%A5%A9%E0%A5%AE%E0%A5%A6%E0%A5%A6%E0%A5%A7%E0%A5%A9%E0%A5%AE%E0%A5%A6%E0%A5%A6%E0%A5%A6")] // Devanagari
    [InlineData("1380013800%EF%BC%90")] // one full-width digit at the end
    [InlineData("13%D9%A8%D9%A0%D9%A0%D9%A1%D9%A3%D9%A8%D9%A0%D9%A0%D9%A0")] // 13, then Arabic-Indic digits
    [InlineData("13%E0%A5%AE%E0%A5%A6%E0%A5%A6%E0%A5%A7%E0%A5%A9%E0%A5%AE%E0%A5%A6%E0%A5%A6%E0%A5%A6")] // 13, then Devanagari
    [InlineData("{0}%0A")]
    [InlineData("{0}%0D%0A")]
    [InlineData("{0}%0D")]
    [InlineData("{0}%09")]
    [InlineData("%20{0}")]
    [InlineData("{0}%20")]
    [InlineData("{0}%C2%A0")] // no-break space
    [InlineData("{0}%E2%80%8B")] // zero-width space
    [InlineData("%2B86{0}")]
    [InlineData("+86{0}")]
    [InlineData("{0}%2F")]
    [InlineData("{0}0000000000000000000000000000000000000000")]
    [InlineData("12800138000")]
    [InlineData("1380013800")]
    public async Task Get_NonCanonicalMobile_Answers404AndReachesNothing(string spelling)
    {
        var mobile = TestMobiles.Next();
        var before = await redis.Server.CommandsRunAsync();

        var response = await RawHttp.SendAsync(_gateway, "GET", $"/sms_codes/{string.Format(System.Globalization.CultureInfo.InvariantCulture, spelling, mobile)}/");

        Assert.Equal(404, response.Status);
        Assert.StartsWith("application/json", response.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Contains("not valid", response.Body, StringComparison.Ordinal);
        await AssertReachedNothingAsync(before);
    }

    private async Task AssertReachedNothingAsync(long commandsBefore)
    {
        Assert.Empty(_provider.Requests);
        Assert.Empty(_provider.OtherRequests);
        Assert.Equal(commandsBefore, await redis.Server.CommandsRunAsync());
    }
}
