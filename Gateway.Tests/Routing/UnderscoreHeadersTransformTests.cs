using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Routing;

/// <summary>
/// Header names that WSGI rewrites never reach a legacy app: through the real host on Kestrel, requests written byte
/// for byte, the recording provider standing in for the legacy app (and for the provider on send routes).
/// </summary>
public sealed class UnderscoreHeadersTransformTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _app = null!;

    public async Task InitializeAsync()
    {
        await redis.Server.Server.FlushAllDatabasesAsync();
        _app = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task CatchAllRoute_UnderscoreNames_DroppedAndTheOthersForwarded()
    {
        var gateway = Start(allowUnderscores: false);

        var answer = await RawHttp.SendAsync(gateway, "GET", "/zz/sms_codes/13800138000/", null,
            "SCRIPT_NAME: /zz", "script_name: /zz", "PATH_INFO: /sms_codes/13800138000/", "X_Forwarded_For: 203.0.113.9",
            "Content_Type: application/json", "Content_Length: 3", "X_Custom: a", "X-Kept: b");

        Assert.Equal(200, answer.Status);
        var received = Assert.Single(_app.OtherRequests);
        Assert.Equal("/zz/sms_codes/13800138000/", received.Path);
        Assert.DoesNotContain(received.Headers.Keys, name => name.Contains('_', StringComparison.Ordinal));
        Assert.Equal("b", received.Headers["X-Kept"]);
        Assert.DoesNotContain("203.0.113.9", received.Headers.GetValueOrDefault("X-Forwarded-For") ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task LegacyVerifyRoute_UnderscoreNames_Dropped()
    {
        var gateway = Start(allowUnderscores: false);

        // A code first: an attempt at a mobile with no code is answered by the gate and never reaches the app.
        Assert.Equal(200, (await RawHttp.SendAsync(gateway, "GET", "/sms_codes/13800138000/", null)).Status);

        var answer = await RawHttp.SendAsync(gateway, "POST", "/zz/verifications/sms/", "mobile=13800138000&sms_code=000000",
            "Content-Type: application/x-www-form-urlencoded", "SCRIPT_NAME: /zz", "X_Forwarded_For: 203.0.113.9");
        var verify = await RawHttp.SendAsync(gateway, "POST", "/verifications/sms/", "mobile=13800138000&sms_code=000000",
            "Content-Type: application/x-www-form-urlencoded", "SCRIPT_NAME: /v", "X_Real_Ip: 203.0.113.9");

        Assert.Equal(200, answer.Status);
        Assert.Equal(200, verify.Status);
        Assert.Equal(2, _app.OtherRequests.Count);
        Assert.All(_app.OtherRequests, r => Assert.DoesNotContain(r.Headers.Keys, name => name.Contains('_', StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AllowUnderscoreHeaders_OtherNamesForwardedButTheWsgiVariablesStillDropped()
    {
        var gateway = Start(allowUnderscores: true);

        var answer = await RawHttp.SendAsync(gateway, "GET", "/zz/sms_codes/13800138000/", null,
            "SCRIPT_NAME: /zz", "Path_Info: /x", "content_type: text/plain", "CONTENT_LENGTH: 3", "X_Custom: a");

        Assert.Equal(200, answer.Status);
        var received = Assert.Single(_app.OtherRequests);
        Assert.Equal("a", received.Headers["X_Custom"]);
        Assert.Equal(["X_Custom"], received.Headers.Keys.Where(name => name.Contains('_', StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SendRoute_ClientHeaders_NoneReachTheProvider()
    {
        var gateway = Start(allowUnderscores: true);

        var answer = await RawHttp.SendAsync(gateway, "GET", "/sms_codes/13800138000/", null, "SCRIPT_NAME: /zz", "X_Custom: a");

        Assert.Equal(200, answer.Status);
        var sent = Assert.Single(_app.Requests);
        Assert.DoesNotContain(sent.Headers.Keys, name => name.Contains('_', StringComparison.Ordinal));
    }

    private Uri Start(bool allowUnderscores)
    {
        var config = new GatewayConfig(_app.Address, redis.Server.ConnectionString).WithVerifyRoutes();
        config.Gate["AllowUnderscoreHeaders"] = allowUnderscores;
        var host = _resources.Add(new GatewayHost(config).StartOnKestrel());
        return host.CreateClient().BaseAddress!;
    }
}
