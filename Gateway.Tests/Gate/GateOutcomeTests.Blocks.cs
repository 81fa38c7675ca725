using System.Net;
using System.Text.Json.Nodes;
using Gateway.Middleware.Diagnostics;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Gate;

/// <summary>The number blocks' results, counted once each through the host.</summary>
public sealed partial class GateOutcomeTests
{
    [Theory]
    [InlineData("MinConversion", "Enforce", SmsCodeGateResults.BlockRefused, HttpStatusCode.Forbidden)]
    [InlineData("MaxPerHour", "Enforce", SmsCodeGateResults.BlockCapRefused, HttpStatusCode.Forbidden)]
    [InlineData("MinConversion", "Shadow", SmsCodeGateResults.ShadowBlockRefused, HttpStatusCode.OK)]
    public async Task Requests_BlockRule_CountedUnderItsResult(string rule, string mode, string expected, HttpStatusCode status)
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString, policyName: "blocks-" + rule + mode);
        config.Policy["CountryCode"] = "86";
        config.Policy["Blocks"] = new JsonObject
        {
            ["PrefixLength"] = 7,
            ["MinSends"] = 1,
            ["Mode"] = mode,
            [rule] = rule == "MaxPerHour" ? 1 : 0.5,
        };
        var host = Resources.Add(new GatewayHost(config).Start());
        using var requests = Requests(host);
        var client = host.CreateClient();
        var prefix = rule == "MaxPerHour" ? "1310001" : mode == "Shadow" ? "1310002" : "1310003";

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(prefix + "0001")).StatusCode);
        Assert.Equal(status, (await client.RequestCodeAsync(prefix + "0002")).StatusCode);

        var results = await ResultsAsync(requests, mode == "Shadow" ? 3 : 2);
        Assert.Equal(SmsCodeGateResults.Issued, results[0]);
        Assert.Contains(expected, results);
    }
}
