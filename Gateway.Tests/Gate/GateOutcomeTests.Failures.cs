using System.Net;
using System.Text;
using Gateway.Middleware.Codes;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Gate;

/// <summary>
/// What goes wrong inside the gate (the store, the body, the policy, an exception), counted once each as what failed.
/// </summary>
public sealed partial class GateOutcomeTests
{
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
        await Redis.Database(2).ListLeftPushAsync($"sms_hour_{poisoned}", "not a counter");

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
    public async Task Requests_PolicyGoneInAReload_CountedOnceAsPolicyMissing()
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString);
        var host = Resources.Add(new GatewayHost(config).Start());
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
        Assert.Empty(Provider.Requests);
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
}
