using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Store.Redis;

/// <summary>
/// The gateway's store on a real redis-server's Unix socket (<c>unixsocket</c>): every form of
/// <c>SmsCodeGate:Redis</c> that names one connects there, and only there.
/// </summary>
public sealed class RedisUnixSocketConnectionTests : IAsyncLifetime
{
    private const string GatewayClientName = "sms-code-gateway";
    private readonly TestResources _resources = new();
    private readonly string _socket = UnixSocketHttp.NewSocketPath("redis");
    private RedisServer _redis = null!;
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _redis = _resources.Add(await RedisServer.StartNewAsync("--unixsocket", _socket, "--unixsocketperm", "700"));
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Theory]
    [InlineData("unix:{0}")]
    [InlineData("{0}")]
    [InlineData("!{0}")]
    [InlineData("unix:{0},connectTimeout=5000,abortConnect=false")]
    public async Task Send_RedisOnUnixSocket_IssuesTheCodeOverTheSocket(string form)
    {
        var config = new GatewayConfig(_provider.Address, string.Format(System.Globalization.CultureInfo.InvariantCulture, form, _socket));
        var host = _resources.Add(new GatewayHost(config)).Start().WaitUntilConnected();
        var mobile = TestMobiles.Next();

        var answer = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(Assert.Single(_provider.RequestsFor(mobile)).Code, (string?)await _redis.Database(2).StringGetAsync($"sms_{mobile}"));
        var clients = GatewayClients();
        Assert.NotEmpty(clients);
        Assert.All(clients, client => Assert.Contains($"laddr={_socket}:0", client, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("unix:{0},127.0.0.1:6379", "must be the only endpoint")]
    [InlineData("unix:{0},serviceName=mymaster", "sentinels (serviceName=) cannot be reached over a Unix socket")]
    [InlineData("!relative.sock", "a Unix socket must be an absolute path")]
    public async Task Start_UnixSocketNotTheOnlyServer_FailsNamingTheKey(string form, string expected)
    {
        var config = new GatewayConfig(_provider.Address, string.Format(System.Globalization.CultureInfo.InvariantCulture, form, _socket));
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains("SmsCodeGate:Redis", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    private List<string> GatewayClients() =>
        _redis.Server.ClientList().Where(c => c.Name == GatewayClientName).Select(c => c.Raw ?? "").ToList();
}
