using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Gate;

/// <summary>
/// On a gated route the request that reaches the app is the one the gate read and counted, or it does not reach the
/// app: through the real host on Kestrel (requests written byte for byte), a real redis-server, and the recording
/// provider standing in for the legacy app.
/// </summary>
public sealed class RequestReadingTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string Form = "application/x-www-form-urlencoded";
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _app = null!;

    public async Task InitializeAsync()
    {
        await redis.Server.Server.FlushAllDatabasesAsync();
        _app = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Theory]
    [InlineData("Content-Type: application/x-www-form-urlencoded; charset=utf-7")]
    [InlineData("Content-Type: application/x-www-form-urlencoded; charset=\"UTF-7\"")]
    [InlineData("Content-Type: application/x-www-form-urlencoded; charset=utf-8; charset=utf-7")]
    [InlineData("Content-Type: application/x-www-form-urlencoded; CHARSET =utf-16")]
    [InlineData("Content-Type: application/x-www-form-urlencoded; charset=cp500")]
    [InlineData("Content-Type: application/x-www-form-urlencoded; charset=u8")]
    public async Task LegacyVerify_ForeignCharset_Answers415AndNeitherCountsNorForwards(string contentType)
    {
        var (gateway, decoy, victim) = await StartWithCodesAsync();

        // UTF-7 "+ACY-" is "&": Django would read the victim's mobile, the gate (UTF-8) the decoy's.
        var answer = await RawHttp.SendAsync(gateway, "POST", "/verifications/sms/", $"mobile={decoy}&x=+ACY-mobile={victim}&sms_code=000000", contentType);

        Assert.Equal(415, answer.Status);
        Assert.Equal("application/json", answer.Headers["Content-Type"]);
        Assert.Contains("\"message\":", answer.Body, StringComparison.Ordinal);
        Assert.Empty(_app.OtherRequests);
        Assert.Equal(0, await AttemptsAsync(victim));
        Assert.Equal(0, await AttemptsAsync(decoy));
    }

    [Theory]
    [InlineData("Content-Type: application/x-www-form-urlencoded", "Content-Type: application/json")]
    [InlineData("Content-Type: */*")]
    [InlineData("Content-Type: application/*")]
    [InlineData("Content-Type: multipart/form-data; boundary=b")]
    [InlineData("Content-Type: text/plain")]
    [InlineData("Content-Type: application/x-www-form-urlencoded; foo=\"a\\\"; charset=utf-7\"")]
    [InlineData("Content-Type: application/x-www-form-urlencoded, application/json")]
    [InlineData("Content-Type: application/x-www-form-urlencoded", "Content-Encoding: gzip")]
    [InlineData("Content_Type: application/x-www-form-urlencoded")]
    public async Task LegacyVerify_ContentTypeTheGateCannotReadAsTheAppDoes_Answers415AndForwardsNothing(params string[] headers)
    {
        var (gateway, _, victim) = await StartWithCodesAsync();

        var answer = await RawHttp.SendAsync(gateway, "POST", "/verifications/sms/", $"mobile={victim}&sms_code=000000", headers);

        Assert.Equal(415, answer.Status);
        Assert.Contains("\"message\":", answer.Body, StringComparison.Ordinal);
        Assert.Empty(_app.OtherRequests);
        Assert.Equal(0, await AttemptsAsync(victim));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded; charset=UTF8", "mobile={0}&sms_code=000000", "application/x-www-form-urlencoded; charset=utf-8")]
    [InlineData("Application/X-WWW-Form-Urlencoded", "mobile={0}&sms_code=000000", "application/x-www-form-urlencoded; charset=utf-8")]
    [InlineData("application/json; charset=us-ascii", "{{\"mobile\":\"{0}\",\"sms_code\":\"000000\"}}", "application/json; charset=utf-8")]
    [InlineData("application/vnd.api+json", "{{\"mobile\":{0},\"sms_code\":\"000000\"}}", "application/json; charset=utf-8")]
    public async Task LegacyVerify_ReadableBody_CountedAndForwardedWithTheContentTypeTheGateRead(string contentType, string body, string forwarded)
    {
        var (gateway, _, victim) = await StartWithCodesAsync();
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, body, victim);
        _app.OtherStatusCode = 400; // the app refuses the guess: the attempt stays counted

        var answer = await RawHttp.SendAsync(gateway, "POST", "/verifications/sms/", text, "Content-Type: " + contentType);

        Assert.Equal(400, answer.Status);
        var received = Assert.Single(_app.OtherRequests);
        Assert.Equal(forwarded, received.Headers["Content-Type"]);
        Assert.Equal(text, received.Body);
        Assert.Equal(1, await AttemptsAsync(victim));
    }

    [Theory]
    [InlineData("mobile={1}&mobile={0}")]
    [InlineData("MOBILE={0}")]
    [InlineData("mobile={1};mobile={0}")]
    [InlineData("mobile=+{0}")]
    [InlineData("mobile={0}%0A")]
    [InlineData("?mobile={0}")]
    public async Task LegacyVerify_FormSpellingDjangoReadsOtherwise_NotForwarded(string body)
    {
        var (gateway, decoy, victim) = await StartWithCodesAsync();

        var answer = await RawHttp.SendAsync(gateway, "POST", "/verifications/sms/",
            string.Format(System.Globalization.CultureInfo.InvariantCulture, body, victim, decoy) + "&sms_code=000000", "Content-Type: " + Form);

        Assert.NotEqual(200, answer.Status);
        Assert.Empty(_app.OtherRequests);
        Assert.Equal(0, await AttemptsAsync(victim));
    }

    [Theory]
    [InlineData("Content-Type: text/plain; charset=utf-7")]
    [InlineData("Content-Type: text/plain; charset=utf-8", "Content-Type: text/plain; charset=utf-7")]
    public async Task QuerySource_ForeignCharset_Answers415(params string[] headers)
    {
        var (gateway, decoy, victim) = await StartWithCodesAsync(config =>
            config.Root["ReverseProxy"]!["Routes"]!["legacy-verify"]!["Metadata"]!["SmsMobileFrom"] = "Query:mobile");

        var answer = await RawHttp.SendAsync(gateway, "POST", $"/verifications/sms/?mobile={decoy}&x=+ACY-mobile={victim}", "sms_code=000000", headers);

        Assert.Equal(415, answer.Status);
        Assert.Empty(_app.OtherRequests);
        Assert.Equal(0, await AttemptsAsync(decoy));
    }

    [Fact]
    public async Task QuerySource_NameInAnotherCase_NotTheMobile()
    {
        var (gateway, _, victim) = await StartWithCodesAsync(config =>
            config.Root["ReverseProxy"]!["Routes"]!["legacy-verify"]!["Metadata"]!["SmsMobileFrom"] = "Query:mobile");

        var answer = await RawHttp.SendAsync(gateway, "POST", $"/verifications/sms/?MOBILE={victim}", "sms_code=000000", "Content-Type: " + Form);

        Assert.Equal(404, answer.Status);
        Assert.Empty(_app.OtherRequests);
    }

    private async Task<(Uri Gateway, string Decoy, string Victim)> StartWithCodesAsync(Action<GatewayConfig>? edit = null)
    {
        var config = new GatewayConfig(_app.Address, redis.Server.ConnectionString).WithVerifyRoutes();
        edit?.Invoke(config);
        var host = _resources.Add(new GatewayHost(config).StartOnKestrel());
        var client = host.CreateClient();
        var decoy = TestMobiles.Next();
        var victim = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(victim)).StatusCode);
        return (client.BaseAddress!, decoy, victim);
    }

    /// <summary>The attempts counted against the mobile's code (0 when none were, or it has no code state).</summary>
    private async Task<long> AttemptsAsync(string mobile)
    {
        var attempts = await redis.Server.Database(2).HashGetAsync($"sms_state_{mobile}", "attempts");
        return attempts.HasValue ? (long)attempts : 0;
    }
}
