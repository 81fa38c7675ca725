using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Host;

/// <summary>
/// Configuration mistakes an operator makes, each tried on the shipped yarp.json in the real process: each is one
/// line on standard error that names the key and says what to do, and exit code 1; never a gateway that starts.
/// </summary>
public sealed class ConfigurationMistakeTests : IDisposable
{
    private const string Policy = "--SmsCodeGate:Policies:legacy-sms";
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-mistakes-").FullName;

    private static readonly Dictionary<string, (Action<JsonObject> Edit, string[] Arguments, string Expected)> Mistakes = new()
    {
        ["unknown policy key"] = (_ => { }, [$"{Policy}:SendIntervall=00:01:00"],
            "SmsCodeGate:Policies:legacy-sms:SendIntervall is not a setting (did you mean SendInterval?)."),
        ["Redis endpoint without a port number"] = (_ => { }, ["--SmsCodeGate:Redis=127.0.0.1:notaport"],
            "SmsCodeGate:Redis: '127.0.0.1:notaport' is not an endpoint"),
        ["unterminated set in MobilePattern"] = (_ => { }, [$"{Policy}:MobilePattern=^1[3-9"],
            "SmsCodeGate:Policies:legacy-sms:MobilePattern is not a valid regular expression: Invalid pattern '^1[3-9' at offset 6. Unterminated [] set."),
        ["unknown ForwardedHeaders key"] = (_ => { }, ["--ForwardedHeaders:KnownProxys:0=127.0.0.1"],
            "ForwardedHeaders:KnownProxys is not a setting (did you mean KnownProxies?)."),
        ["unknown route key"] = (_ => { }, ["--ReverseProxy:Routes:legacy-app:Orderr=1"],
            "ReverseProxy:Routes:legacy-app:Orderr is not a setting (did you mean Order?)."),
        ["route order not a number"] = (_ => { }, ["--ReverseProxy:Routes:legacy-app:Order=first"],
            "ReverseProxy:Routes:legacy-app:Order must be a whole number (was 'first')."),
        ["unknown destination key"] = (_ => { }, ["--ReverseProxy:Clusters:legacy-app:Destinations:legacy:Adress=http://127.0.0.1:1/"],
            "ReverseProxy:Clusters:legacy-app:Destinations:legacy:Adress is not a setting (did you mean Address?)."),
        ["duration not a duration"] = (_ => { }, [$"{Policy}:SendInterval=soon"],
            "SmsCodeGate:Policies:legacy-sms:SendInterval must be a duration such as 00:01:00 (was 'soon')."),
        ["send route with a misspelt gate key"] = (config => Route(config, "sms-codes")["Metadata"] = new JsonObject { ["SmsCodePolicyy"] = "legacy-sms" }, [],
            "Metadata:SmsCodePolicyy is not a gate key (did you mean SmsCodePolicy?)"),
        ["send route with the gate key in the wrong case"] = (config => Route(config, "sms-codes")["Metadata"] = new JsonObject { ["smscodepolicy"] = "legacy-sms" }, [],
            "Route 'sms-codes': Metadata:smscodepolicy is not a gate key as written: spell it SmsCodePolicy, with that case."),
        ["send route with a gate key missing its Sms"] = (config => Route(config, "sms-codes")["Metadata"] = new JsonObject { ["SmCodePolicy"] = "legacy-sms" }, [],
            "Metadata:SmCodePolicy is not a gate key (did you mean SmsCodePolicy?)"),
        ["verify route with a misspelt gate key"] = (config => Route(config, "legacy-verify")["Metadata"] = new JsonObject { ["SmsVerifyPolicyy"] = "legacy-sms", ["SmsMobileFrom"] = "Body:mobile" }, [],
            "Route 'legacy-verify': Metadata:SmsVerifyPolicyy is not a gate key (did you mean SmsVerifyPolicy?)"),
        ["route to a cluster that does not exist"] = (_ => { }, ["--ReverseProxy:Routes:sms-codes:ClusterId=sms-provdier"],
            "Route 'sms-codes': ClusterId 'sms-provdier' names no cluster"),
        ["catch-all route to the provider"] = (_ => { }, ["--ReverseProxy:Routes:legacy-app:ClusterId=sms-provider"],
            "Route 'legacy-app' reaches cluster 'sms-provider', an SMS provider (Metadata:SmsProvider) ungated"),
        ["verify route forwarding to the provider"] = (_ => { }, ["--ReverseProxy:Routes:legacy-verify:ClusterId=sms-provider"],
            "Route 'legacy-verify': Metadata:SmsVerifyPolicy forwards verify attempts to the app, but its ClusterId names cluster 'sms-provider'"),
        ["route before the gated route on its path"] = (_ => { },
            ["--ReverseProxy:Routes:shadow:ClusterId=legacy-app", "--ReverseProxy:Routes:shadow:Order=-1", "--ReverseProxy:Routes:shadow:Match:Path=/sms_codes/{id}/"],
            "Route 'shadow' (Order -1) comes before gated route 'sms-codes' (Order 0) on its path '/sms_codes/{mobile}/'"),
        ["more specific route on the gated path"] = (_ => { },
            ["--ReverseProxy:Routes:vip:ClusterId=legacy-app", "--ReverseProxy:Routes:vip:Match:Path=/sms_codes/13800138000/"],
            "Route 'vip' (Order 0) comes before gated route 'sms-codes' (Order 0) on its path '/sms_codes/{mobile}/'"),
        ["gated route for one host only"] = (_ => { }, ["--ReverseProxy:Routes:sms-codes:Match:Hosts:0=api.example.com"],
            "Route 'sms-codes': Match:Hosts narrows a gated route, so its path without that match falls to route 'legacy-app', ungated"),
        ["gated route for one header only"] = (_ => { }, ["--ReverseProxy:Routes:sms-codes:Match:Headers:0:Name=X-App", "--ReverseProxy:Routes:sms-codes:Match:Headers:0:Values:0=1"],
            "Route 'sms-codes': Match:Headers narrows a gated route"),
        ["provider cluster not marked"] = (config => Cluster(config, "sms-provider").Remove("Metadata"), [],
            "Route 'sms-codes': Metadata:SmsCodePolicy sends codes to cluster 'sms-provider', which is not marked as an SMS provider"),
        ["provider mark neither true nor false"] = (_ => { }, ["--ReverseProxy:Clusters:sms-provider:Metadata:SmsProvider=yes"],
            "Cluster 'sms-provider': Metadata:SmsProvider must be true or false (was 'yes')."),
        ["mobile in the body and no provider template"] = (config =>
        {
            var route = Route(config, "sms-codes");
            route["Match"]!["Path"] = "/api/v1/sms/send";
            route["Transforms"] = new JsonArray(new JsonObject { ["PathPattern"] = "/send/app2" });
        }, [$"{Policy}:MobileFrom=Json:user.phone"],
            "Route 'sms-codes': the SMS provider would not learn the mobile"),
        ["placeholder in a provider header"] = (_ => { }, [$"{Policy}:Provider:Headers:X-To={{mobile}}"],
            "SmsCodeGate:Policies:legacy-sms:Provider:Headers:X-To is sent as written"),
        ["country code written with its plus"] = (_ => { }, [$"{Policy}:CountryCode=+86"],
            "SmsCodeGate:Policies:legacy-sms:CountryCode must be a country calling code, digits without '+' such as 86 or 1 (was '+86') (did you mean 86?)."),
        ["allowed region not an ISO code"] = (_ => { }, [$"{Policy}:CountryCode=86", $"{Policy}:Numbers:AllowRegions:0=UK"],
            "SmsCodeGate:Policies:legacy-sms:Numbers:AllowRegions:0 must be an ISO 3166 region code such as CN or HK (was 'UK') (did you mean GB?)."),
        ["denied prefix without its plus"] = (_ => { }, [$"{Policy}:CountryCode=86", $"{Policy}:Numbers:DenyPrefixes:0=86170"],
            "SmsCodeGate:Policies:legacy-sms:Numbers:DenyPrefixes:0 must be an E.164 prefix, '+' and up to 15 digits such as +86170 (was '86170') (did you mean +86170?)."),
        ["denied type misspelt"] = (_ => { }, [$"{Policy}:CountryCode=86", $"{Policy}:Numbers:DenyTypes:0=PremiumRte"],
            "(was 'PremiumRte') (did you mean PremiumRate?)."),
        ["number rules mode misspelt"] = (_ => { }, [$"{Policy}:CountryCode=86", $"{Policy}:Numbers:Mode=Shadows"],
            "SmsCodeGate:Policies:legacy-sms:Numbers:Mode must be one of Enforce, Shadow (was 'Shadows')."),
        ["number rules without a country code"] = (_ => { }, [$"{Policy}:Numbers:AllowRegions:0=CN"],
            "SmsCodeGate:Policies:legacy-sms:CountryCode must be set when Numbers has rules and MobilePattern admits a mobile without '+' such as '13000000000'"),
    };

    public static TheoryData<string> Names => [.. Mistakes.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Start_Mistake_OneLineNamingTheKeyAndExit1(string name)
    {
        var (edit, arguments, expected) = Mistakes[name];
        var config = ShippedConfig.Load();
        edit(config);

        var (exitCode, stderr, _) = await GatewayRun.RunAsync(_directory, [.. arguments, "--config", ShippedConfig.Write(config, _directory)]);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("sms-gateway: cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SeveralMistakes_OneLineEach()
    {
        var (exitCode, stderr, _) = await GatewayRun.RunAsync(_directory,
            "--config", ShippedConfig.Path, $"{Policy}:SendIntervall=00:01:00", $"{Policy}:CodeLenght=6");

        Assert.Equal(1, exitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, l => l.EndsWith("SendIntervall is not a setting (did you mean SendInterval?).", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("CodeLenght is not a setting (did you mean CodeLength?).", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static JsonObject Route(JsonObject config, string id) => config["ReverseProxy"]!["Routes"]![id]!.AsObject();

    private static JsonObject Cluster(JsonObject config, string id) => config["ReverseProxy"]!["Clusters"]![id]!.AsObject();
}
