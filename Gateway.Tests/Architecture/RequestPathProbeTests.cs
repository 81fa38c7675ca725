using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Architecture;

/// <summary>
/// Sends and verifies codes through the shipped configuration, as many times as the environment says.
/// <c>bench/request-path.sh</c> runs it under coverage with different counts: the lines whose hits grow with the
/// count are the code one request runs, start-up and first-call work left out. In the suite it runs once each.
/// </summary>
public sealed class RequestPathProbeTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _app = null!;

    public async Task InitializeAsync() => _app = _resources.Add(await RecordingSmsProvider.StartAsync());

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task Sends_ThenVerifies_EachAnswered200()
    {
        var client = _resources.Add(new GatewayHost(GatewayConfig.Shipped(_app.Address, redis.Server.ConnectionString)).Start().WaitUntilConnected()).CreateClient();
        var legacy = Environment.GetEnvironmentVariable("REQUEST_PATH_VERIFY") == "legacy";
        var sends = Count("REQUEST_PATH_SENDS");

        var sent = new List<(string Mobile, string Code)>();
        for (var i = 0; i < sends; i++)
        {
            var mobile = TestMobiles.Next();
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
            sent.Add((mobile, _app.RequestsFor(mobile)[^1].Code!));
        }

        foreach (var (mobile, code) in sent.Take(Count("REQUEST_PATH_VERIFIES")))
        {
            var answer = legacy
                ? await client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative), new FormUrlEncodedContent([new("mobile", mobile), new("sms_code", code)]))
                : await client.PostAsJsonAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative), new { code });
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
    }

    private static int Count(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 1;
}
