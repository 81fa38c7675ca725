using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gateway.Middleware.Diagnostics;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Gate;

/// <summary>The number rules (<c>CountryCode</c>, <c>Numbers:*</c>) on the send route, on both stores.</summary>
public abstract partial class SmsCodeGateContractTests
{
    /// <summary>Admits national mainland mobiles and E.164 numbers of any country.</summary>
    private const string NationalOrE164Pattern = @"^(?:1[3-9]\d{9}|\+[1-9]\d{6,14})$";

    [Fact]
    public async Task Get_NumberInAnAllowedRegion_SentAsWithoutRules()
    {
        var host = StartGateway(config => Numbers(config, "86", allowRegions: ["CN", "HK"]));
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GatewayClient.LegacyOkBody, await response.Content.ReadAsByteArrayAsync());
        Assert.Single(Provider.RequestsFor(mobile));
        Assert.InRange(await store.SendFlagLeftAsync(host, mobile), 58_000, 60_000);
    }

    [Fact]
    public async Task Get_NumberOutsideTheAllowedRegions_403NumberRefusedTouchingNeitherStoreNorProvider()
    {
        var host = StartGateway(config => Numbers(config, "86", allowRegions: ["HK"]));
        using var requests = Requests(host);
        var mobile = TestMobiles.Next();
        var commandsBefore = await store.CommandsRunAsync(host);

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("Forbidden: codes are not sent to this number.", await GatewayClient.MessageOfAsync(response));
        Assert.Empty(Provider.Requests);
        Assert.Equal(commandsBefore, await store.CommandsRunAsync(host));
        Assert.Equal(0, await store.SendFlagLeftAsync(host, mobile));
        await requests.WaitForMeasurementsAsync(1).WaitAsync(HangGuard);
        Assert.Equal([SmsCodeGateResults.NumberRefused], requests.GetMeasurementSnapshot().Select(m => (string)m.Tags["sms_code_gate.result"]!));
    }

    [Fact]
    public async Task Get_NumberUnderADeniedPrefix_403AndOthersSent()
    {
        var denied = TestMobiles.Next();
        var host = StartGateway(config => Numbers(config, "86", denyPrefixes: ["+86" + denied[..^1]]));
        var client = host.CreateClient();
        var other = OutsideTheTen(denied);
        var commandsBefore = await store.CommandsRunAsync(host);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync(denied)).StatusCode);
        Assert.Equal(commandsBefore, await store.CommandsRunAsync(host));
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(other)).StatusCode);
        Assert.Empty(Provider.RequestsFor(denied));
        Assert.Single(Provider.RequestsFor(other));
    }

    [Fact]
    public async Task Get_NumberOfADeniedType_403AndOthersSent()
    {
        var host = StartGateway(config =>
        {
            config.Policy["MobilePattern"] = NationalOrE164Pattern;
            Numbers(config, "86", denyTypes: ["PremiumRate", "TollFree"]);
        });
        var client = host.CreateClient();
        var commandsBefore = await store.CommandsRunAsync(host);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync(Uri.EscapeDataString("+19005550123"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync(Uri.EscapeDataString("+18005550123"))).StatusCode);
        Assert.Equal(commandsBefore, await store.CommandsRunAsync(host));
        Assert.Empty(Provider.Requests);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
    }

    [Fact]
    public async Task Get_AllowedRegionAndRulesOfOtherBreadth_TheMostSpecificWins()
    {
        var denied = TestMobiles.Next();
        var host = StartGateway(config =>
        {
            config.Policy["MobilePattern"] = NationalOrE164Pattern;
            Numbers(config, "86", allowRegions: ["CN", "CA"], denyPrefixes: ["+86" + denied[..^1], "+1"]);
        });
        var client = host.CreateClient();

        // A prefix longer than +86 is narrower than CN: refused. CA is narrower than +1: sent. US is under +1 only: refused.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync(denied)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(OutsideTheTen(denied))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(Uri.EscapeDataString("+14165550123"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync(Uri.EscapeDataString("+12025550123"))).StatusCode);
        Assert.Equal(2, Provider.Requests.Count);
    }

    [Fact]
    public async Task Get_RuleInShadowMode_SentAndCountedAndLoggedMasked()
    {
        var host = StartGateway(config => Numbers(config, "86", allowRegions: ["HK"], mode: "Shadow"));
        using var requests = Requests(host);
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Provider.RequestsFor(mobile));
        Assert.InRange(await store.SendFlagLeftAsync(host, mobile), 58_000, 60_000);
        await requests.WaitForMeasurementsAsync(2).WaitAsync(HangGuard);
        Assert.Equal(
            [SmsCodeGateResults.ShadowNumberRefused, SmsCodeGateResults.Issued],
            requests.GetMeasurementSnapshot().Select(m => (string)m.Tags["sms_code_gate.result"]!));
        var line = Assert.Single(host.Logs.GetSnapshot(), l => l.Id.Name == "ShadowNumberRefused");
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains($"{mobile[..3]}****{mobile[^4..]}", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(mobile, line.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+999123456")] // no such calling code
    [InlineData("+86")] // matches the pattern, no number after the code
    public async Task Get_NumberLibphonenumberCannotParse_InvalidMobileAnswerTouchingNothing(string mobile)
    {
        var host = StartGateway(config =>
        {
            config.Policy["MobilePattern"] = @"^\+?\d{1,15}$";
            Numbers(config, "86");
        });
        using var requests = Requests(host);
        var commandsBefore = await store.CommandsRunAsync(host);

        var response = await host.CreateClient().RequestCodeAsync(Uri.EscapeDataString(mobile));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("not valid", await GatewayClient.MessageOfAsync(response), StringComparison.Ordinal);
        Assert.Empty(Provider.Requests);
        Assert.Equal(commandsBefore, await store.CommandsRunAsync(host));
        await requests.WaitForMeasurementsAsync(1).WaitAsync(HangGuard);
        Assert.Equal([SmsCodeGateResults.InvalidMobile], requests.GetMeasurementSnapshot().Select(m => (string)m.Tags["sms_code_gate.result"]!));
    }

    [Fact]
    public async Task Get_NumberLibphonenumberCannotParseAndNoNumberSettings_SentAsBefore()
    {
        var host = StartGateway(config => config.Policy["MobilePattern"] = @"^\+?\d{1,15}$");

        var response = await host.CreateClient().RequestCodeAsync(Uri.EscapeDataString("+999123456"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Provider.Requests);
    }

    [Fact]
    public async Task Get_E164MobileWithRules_ReadAsE164AndKeyedAsTheAppSentIt()
    {
        var host = StartGateway(config =>
        {
            config.Policy["MobilePattern"] = @"^(?:\+86)?1[3-9]\d{9}$";
            Numbers(config, "86", allowRegions: ["CN"], denyPrefixes: ["+86170"]);
        });
        var client = host.CreateClient();
        var national = TestMobiles.Next();
        var e164 = "+86" + TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(Uri.EscapeDataString(e164))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(national)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync(Uri.EscapeDataString("+8617012345678"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync("17012345678")).StatusCode);

        // The legacy keys keep the mobile exactly as the app sent it: send_flag_+86..., send_flag_138...
        Assert.InRange(await store.SendFlagLeftAsync(host, e164), 58_000, 60_000);
        Assert.Equal(0, await store.SendFlagLeftAsync(host, e164[3..]));
        Assert.InRange(await store.SendFlagLeftAsync(host, national), 58_000, 60_000);
        Assert.Equal(0, await store.SendFlagLeftAsync(host, "+86" + national));
        Assert.Equal(2, Provider.Requests.Count);
    }

    [Fact]
    public async Task Verify_RuleAddedAfterTheCodeWasSent_TheCodeStillVerifies()
    {
        var config = new GatewayConfig(Provider.Address, store.Redis).WithVerifyRoutes();
        Numbers(config, "86", allowRegions: ["CN"]);
        var host = _resources.Add(new GatewayHost(config, configureServices: store.ConfigureServices)).Start().WaitUntilConnected();
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        var code = Provider.RequestsFor(mobile)[^1].Code!;

        config.Policy["Numbers"]!["AllowRegions"] = new JsonArray("HK");
        config.WriteTo(host.ConfigPath);
        Assert.True(await GatewayClient.EventuallyAsync(async () => (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode == HttpStatusCode.Forbidden));

        var verified = await client.PostAsJsonAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative), new { code }).WaitAsync(HangGuard);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync(mobile)).StatusCode);
    }

    private static void Numbers(GatewayConfig config, string countryCode, string[]? allowRegions = null, string[]? denyPrefixes = null, string[]? denyTypes = null, string? mode = null)
    {
        config.Policy["CountryCode"] = countryCode;
        var numbers = new JsonObject();
        if (allowRegions is not null)
        {
            numbers["AllowRegions"] = new JsonArray([.. allowRegions.Select(r => (JsonNode)r)]);
        }

        if (denyPrefixes is not null)
        {
            numbers["DenyPrefixes"] = new JsonArray([.. denyPrefixes.Select(p => (JsonNode)p)]);
        }

        if (denyTypes is not null)
        {
            numbers["DenyTypes"] = new JsonArray([.. denyTypes.Select(t => (JsonNode)t)]);
        }

        if (mode is not null)
        {
            numbers["Mode"] = mode;
        }

        config.Policy["Numbers"] = numbers;
    }

    /// <summary>A mobile that <paramref name="mobile"/>'s prefix of all but its last digit does not cover.</summary>
    private static string OutsideTheTen(string mobile) =>
        (long.Parse(mobile, System.Globalization.CultureInfo.InvariantCulture) + 10).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static MetricCollector<long> Requests(GatewayHost host) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");
}
