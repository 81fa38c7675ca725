using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Gate;

/// <summary>
/// Apps and providers onboarded by configuration alone, through the real host and a real redis-server: a JSON-posting
/// app with its own answers, a Twilio-shaped provider (form POST, Basic auth, the code in the body), a provider that
/// reports a failed send inside a 200.
/// </summary>
public sealed class OnboardingTests(RedisFixture redis) : SharedRedisTests(redis)
{
    private const string TwilioPath = "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json";

    [Fact]
    public async Task JsonApp_MobileFromTheBodyAndItsOwnAnswers_SentThenRefusedInItsWords()
    {
        var host = Start(config =>
        {
            config.GatedRoute["Match"] = new JsonObject { ["Path"] = "/api/v1/sms/send", ["Methods"] = new JsonArray("POST") };
            config.GatedRoute.Remove("Transforms");
            config.Policy["MobileFrom"] = "Json:user.phone";
            config.Policy["Provider"] = new JsonObject { ["Path"] = "/send/{mobile}" }; // the body never reaches the provider
            config.Policy["Answers"] = new JsonObject
            {
                ["Sent"] = new JsonObject { ["Body"] = "{{\"code\":0,\"errmsg\":\"{message}\"}}" },
                ["Refused"] = new JsonObject { ["Status"] = 200, ["Body"] = "{{\"code\":4001,\"errmsg\":\"{message}\",\"retry\":{retryAfter}}}" },
                ["InvalidMobile"] = new JsonObject { ["Status"] = 400, ["Body"] = "{{\"code\":4002,\"errmsg\":\"bad mobile\"}}" },
            };
        });
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        var sent = await PostJsonAsync(client, "/api/v1/sms/send", $"{{\"user\":{{\"phone\":\"{mobile}\"}}}}");
        var refused = await PostJsonAsync(client, "/api/v1/sms/send", $"{{\"user\":{{\"phone\":\"{mobile}\"}}}}");
        var invalid = await PostJsonAsync(client, "/api/v1/sms/send", "{\"user\":{\"phone\":\"12345\"}}");
        var missing = await PostJsonAsync(client, "/api/v1/sms/send", "{\"user\":{}}");

        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Equal("{\"code\":0,\"errmsg\":\"ok\"}", await sent.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var retry = (long)refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.Equal($"{{\"code\":4001,\"errmsg\":\"手机频繁发送短信\",\"retry\":{retry}}}", await refused.Content.ReadAsStringAsync());
        Assert.Equal("application/json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("{\"code\":4002,\"errmsg\":\"bad mobile\"}", await invalid.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var sms = Assert.Single(Provider.Requests);
        Assert.Equal(mobile, sms.Mobile);
        Assert.Equal(sms.Code, (string?)await Redis.Database(2).StringGetAsync($"sms_{mobile}"));
    }

    [Fact]
    public async Task TwilioShapedProvider_FormPostWithBasicAuthAndTheCodeInTheBody_ByteForByte()
    {
        Provider.OtherStatusCode = 201;
        Provider.OtherBody = "{\"sid\":\"SM1\",\"status\":\"queued\"}";
        var host = Start(config =>
        {
            config.GatedRoute.Remove("Transforms");
            config.Policy["Provider"] = new JsonObject
            {
                ["Method"] = "POST",
                ["Path"] = TwilioPath,
                ["ContentType"] = "application/x-www-form-urlencoded",
                ["Body"] = "To=%2B86{mobile}&From=%2B15005550006&Body=Your+code+is+{code}+(valid+{minutes}+min)",
                ["Headers"] = new JsonObject { ["Authorization"] = "Basic QUMwMTIzOmF1dGh0b2tlbg==" },
                ["SuccessWhen"] = new JsonObject { ["Property"] = "status", ["Value"] = "queued" },
            };
        });
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GatewayClient.LegacyOkBody, await response.Content.ReadAsByteArrayAsync());
        var sent = Assert.Single(Provider.OtherRequests);
        var code = (string)(await Redis.Database(2).StringGetAsync($"sms_{mobile}"))!;
        Assert.Equal("POST", sent.Method);
        Assert.Equal(TwilioPath, sent.Path);
        Assert.Equal($"To=%2B86{mobile}&From=%2B15005550006&Body=Your+code+is+{code}+(valid+5+min)", sent.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(sent.Body), sent.BodyLength);
        Assert.Equal("Basic QUMwMTIzOmF1dGh0b2tlbg==", sent.Headers["Authorization"]);
        Assert.Equal("application/x-www-form-urlencoded", sent.Headers["Content-Type"]);
        Assert.False(sent.Headers.ContainsKey(RecordingSmsProvider.CodeHeader));
        Assert.Empty(Provider.Requests);
    }

    [Fact]
    public async Task JsonProvider_ValuesAreJsonEscapedIntoTheTemplate()
    {
        var host = Start(config =>
        {
            config.GatedRoute.Remove("Transforms");
            config.Policy["Provider"] = new JsonObject
            {
                ["Method"] = "POST",
                ["Path"] = "/v2/sms?channel={{sms}}",
                ["ContentType"] = "application/json; charset=utf-8",
                ["Body"] = "{{\"phone\":\"{mobile}\",\"template\":\"SMS_1\",\"params\":{{\"code\":\"{code}\"}}}}",
            };
        });
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().RequestCodeAsync(mobile)).StatusCode);

        var sent = Assert.Single(Provider.OtherRequests);
        var code = (string)(await Redis.Database(2).StringGetAsync($"sms_{mobile}"))!;
        Assert.Equal("/v2/sms", sent.Path);
        Assert.Equal("?channel={sms}", Uri.UnescapeDataString(sent.Query));
        Assert.Equal($"{{\"phone\":\"{mobile}\",\"template\":\"SMS_1\",\"params\":{{\"code\":\"{code}\"}}}}", sent.Body);
        Assert.StartsWith("application/json", sent.Headers["Content-Type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuccessWhen_ProviderReportsAFailedSendInsideA200_RollsBackAnd502()
    {
        Provider.OtherBody = "{\"code\":\"isv.BUSINESS_LIMIT_CONTROL\",\"message\":\"limit\"}";
        var host = Start(config =>
        {
            config.GatedRoute.Remove("Transforms");
            config.Policy["Provider"] = new JsonObject
            {
                ["Path"] = "/aliyun/send?PhoneNumbers={mobile}",
                ["SuccessWhen"] = new JsonObject { ["Property"] = "code", ["Value"] = "OK" },
            };
        });
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        var failed = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.DoesNotContain("BUSINESS_LIMIT", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(Provider.OtherRequests);
        Assert.False(await Redis.Database(2).KeyExistsAsync($"send_flag_{mobile}"));
        Assert.False(await Redis.Database(2).KeyExistsAsync($"sms_{mobile}"));

        // Rolled back: the user may ask again at once, and the code still goes in its header (no template carries it).
        Provider.OtherBody = "{\"code\":\"OK\"}";
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(2, Provider.OtherRequests.Count);
        Assert.Equal((string?)await Redis.Database(2).StringGetAsync($"sms_{mobile}"), Provider.OtherRequests.Last().Code);
    }

    [Fact]
    public async Task TwoProviderDestinations_OneRefusingConnections_EverySendAnswers200WithExactlyOneSms()
    {
        var dead = RefusingAddress.Http;
        var host = Start(config =>
        {
            var cluster = config.Root["ReverseProxy"]!["Clusters"]!["sms-provider"]!.AsObject();
            cluster["LoadBalancingPolicy"] = "RoundRobin";
            cluster["Destinations"] = new JsonObject
            {
                ["a-dead"] = new JsonObject { ["Address"] = dead.ToString() },
                ["b-live"] = new JsonObject { ["Address"] = Provider.Address.ToString() },
            };
        });
        var client = host.CreateClient();
        var mobiles = Enumerable.Range(0, 4).Select(_ => TestMobiles.Next()).ToList();

        foreach (var mobile in mobiles)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        }

        // Round robin sent half of the first attempts to the dead destination; each was sent again, with its code, to the live one.
        Assert.All(mobiles, mobile => Assert.Single(Provider.RequestsFor(mobile)));
        foreach (var mobile in mobiles)
        {
            Assert.Equal(Provider.RequestsFor(mobile)[0].Code, (string?)await Redis.Database(2).StringGetAsync($"sms_{mobile}"));
        }
    }

    [Fact]
    public async Task TwoProviderDestinations_OneTimingOut_NotRetriedAnd504()
    {
        var slow = Resources.Add(await RecordingSmsProvider.StartAsync());
        slow.AnswerWhen = new TaskCompletionSource(); // never answers: only the 1 s activity timeout ends its send
        var host = Start(config =>
        {
            var cluster = config.Root["ReverseProxy"]!["Clusters"]!["sms-provider"]!.AsObject();
            cluster["LoadBalancingPolicy"] = "FirstAlphabetical";
            cluster["HttpRequest"] = new JsonObject { ["ActivityTimeout"] = "00:00:01" };
            cluster["Destinations"] = new JsonObject
            {
                ["a-slow"] = new JsonObject { ["Address"] = slow.Address.ToString() },
                ["b-live"] = new JsonObject { ["Address"] = Provider.Address.ToString() },
            };
        });
        var mobile = TestMobiles.Next();

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Single(slow.RequestsFor(mobile));
        Assert.Empty(Provider.RequestsFor(mobile));
    }

    [Theory]
    [InlineData("Answers:Sent:Status", "700", "SmsCodeGate:Policies:test:Answers:Sent:Status must be an HTTP status from 200 to 599 (was 700).")]
    [InlineData("Answers:Refused:Body", "{{\"wait\":{retry}}}", "SmsCodeGate:Policies:test:Answers:Refused:Body has an unknown placeholder '{retry}'")]
    [InlineData("Answers:Delivered:Status", "200", "SmsCodeGate:Policies:test:Answers:Delivered is not an answer the gate writes")]
    [InlineData("Provider:Body", "to={phone}", "SmsCodeGate:Policies:test:Provider:Body has an unknown placeholder '{phone}'")]
    [InlineData("Provider:Path", "send/{mobile}", "SmsCodeGate:Policies:test:Provider:Path must start with '/'")]
    [InlineData("MobileFrom", "Cookie:m", "SmsCodeGate:Policies:test:MobileFrom must be Route:<name>")]
    public async Task Start_InvalidOnboardingOption_FailsNamingTheKey(string key, string value, string expected)
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString);
        var target = config.Policy;
        var path = key.Split(':');
        foreach (var part in path[..^1])
        {
            target = (JsonObject)(target[part] ??= new JsonObject());
        }

        target[path[^1]] = int.TryParse(value, out var number) ? number : value;
        if (key.StartsWith("Provider:Body", StringComparison.Ordinal))
        {
            target["ContentType"] = "text/plain";
        }

        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    private GatewayHost Start(Action<GatewayConfig> edit)
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString);
        edit(config);
        return Resources.Add(new GatewayHost(config).Start());
    }

    private static Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, string json) =>
        client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json")).WaitAsync(TimeSpan.FromSeconds(30));
}
