using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Host;

/// <summary>
/// The real host listening on a Unix socket, as behind nginx's <c>upstream { server unix:...; }</c>: health, a gated
/// send, the management port, and whose <c>X-Forwarded-For</c> counts. A peer on a Unix socket has no address to
/// list among the trusted proxies: its header is read only with <c>ForwardedHeaders:TrustUnixSocket</c>.
/// </summary>
public sealed class UnixSocketListenerTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string UnknownClientKey = "sms_ip_hour_unknown";
    private readonly TestResources _resources = new();
    private readonly string _socket = UnixSocketHttp.NewSocketPath("gw");
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        await redis.Server.Server.FlushAllDatabasesAsync();
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task UnixSocket_HealthAndGatedSend_AnswerOverTheSocket()
    {
        StartOnSocket(_ => { });
        using var client = UnixSocketHttp.Client(_socket);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Single(_provider.RequestsFor(mobile));
    }

    [Fact]
    public async Task ForwardedFor_OverUnixSocketWithoutTrust_IsIgnoredAndCountsAsUnknown()
    {
        // The systemd unit's trusted proxy (127.0.0.1) does not make a socket peer one: ASP.NET Core alone would take
        // the first hop from any connection without an address.
        var host = StartOnSocket(config =>
        {
            config.Policy["MaxPerIpPerHour"] = 5;
            config.Root["ForwardedHeaders"] = new JsonObject { ["KnownProxies"] = new JsonArray("127.0.0.1") };
        });
        using var client = UnixSocketHttp.Client(_socket);

        Assert.Equal(HttpStatusCode.OK, (await SendFromAsync(client, "203.0.113.7")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendFromAsync(client, "203.0.113.8")).StatusCode);

        Assert.Equal("2", (string?)await redis.Server.Database(2).StringGetAsync(UnknownClientKey));
        Assert.Equal([UnknownClientKey], IpCounterKeys());
        var warning = Assert.Single(host.Logs.GetSnapshot(), l => l.Id.Name == "UntrustedUnixSocket");
        Assert.Contains(_socket, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardedFor_OverTrustedUnixSocket_SetsTheClientIpFromTheLastHop()
    {
        var host = StartOnSocket(config =>
        {
            config.Policy["MaxPerIpPerHour"] = 5;
            config.Root["ForwardedHeaders"] = new JsonObject { ["TrustUnixSocket"] = true };
        });
        using var client = UnixSocketHttp.Client(_socket);

        Assert.Equal(HttpStatusCode.OK, (await SendFromAsync(client, "198.51.100.1, 203.0.113.8")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        Assert.Equal("1", (string?)await redis.Server.Database(2).StringGetAsync("sms_ip_hour_203.0.113.8"));
        Assert.Equal("1", (string?)await redis.Server.Database(2).StringGetAsync(UnknownClientKey));
        Assert.Equal(["sms_ip_hour_203.0.113.8", UnknownClientKey], IpCounterKeys().Order());
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Id.Name == "TrustedUnixSocket");
        Assert.DoesNotContain(host.Logs.GetSnapshot(), l => l.Id.Name is "UntrustedUnixSocket" or "NoTrustedProxies");
    }

    [Fact]
    public async Task ForwardedFor_TrustUnixSocketOnly_TcpPeerIsNotTrusted()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        config.Policy["MaxPerIpPerHour"] = 5;
        config.Root["ForwardedHeaders"] = new JsonObject { ["TrustUnixSocket"] = true };
        var host = _resources.Add(new GatewayHost(config)).StartOnKestrel().WaitUntilConnected();
        var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await SendFromAsync(client, "203.0.113.7")).StatusCode);

        Assert.Equal(["sms_ip_hour_127.0.0.1"], IpCounterKeys());
    }

    [Fact]
    public async Task ManagementPort_BesideAUnixSocketEndpoint_AnswersThereAnd404OnTheSocket()
    {
        // A Kestrel endpoint in configuration replaces the URL list, where the management port used to be added alone.
        var port = FreePort.Next();
        var host = _resources.Add(new GatewayHost(new GatewayConfig(_provider.Address, redis.Server.ConnectionString), new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Public:Url"] = $"http://unix:{_socket}",
            ["Management:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        host.UseKestrel();
        host.StartServer();
        host.WaitUntilConnected();
        using var socketClient = UnixSocketHttp.Client(_socket);
        using var managementClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };

        var overManagementPort = await managementClient.GetAsync("/sms-code-gate/blocks");
        var overSocket = await socketClient.GetAsync("/sms-code-gate/blocks");

        Assert.Equal(HttpStatusCode.OK, overManagementPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, overSocket.StatusCode);
        Assert.Equal("Not found.", await GatewayClient.MessageOfAsync(overSocket));
        Assert.Equal(HttpStatusCode.OK, (await socketClient.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Start_TrustUnixSocketWithForwardLimitAboveOneAndNoList_FailsNamingTheKey()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        config.Root["ForwardedHeaders"] = new JsonObject { ["TrustUnixSocket"] = true, ["ForwardLimit"] = 2 };
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains("ForwardedHeaders:ForwardLimit above 1 with TrustUnixSocket", error.ToString(), StringComparison.Ordinal);
    }

    private GatewayHost StartOnSocket(Action<GatewayConfig> edit)
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        edit(config);
        var host = _resources.Add(new GatewayHost(config));
        host.UseKestrel(kestrel => kestrel.ListenUnixSocket(_socket));
        host.StartServer();
        return host.WaitUntilConnected();
    }

    private List<string> IpCounterKeys() => redis.Server.Server.Keys(2, "sms_ip_hour_*").Select(k => (string)k!).ToList();

    private static Task<HttpResponseMessage> SendFromAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{TestMobiles.Next()}/");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
