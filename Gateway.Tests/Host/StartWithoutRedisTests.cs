using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Host;

/// <summary>
/// The gateway, started as a process, while Redis answers nothing (SIGSTOP): it listens at once, is alive but not
/// ready, answers gated requests 503, and becomes ready and issues codes once Redis answers. The connection string
/// gives a connect timeout far beyond the start-up bound of <see cref="GatewayProcess"/>, so a start-up that waited
/// for Redis would fail the test instead of merely being slow.
/// </summary>
public sealed class StartWithoutRedisTests : IAsyncLifetime
{
    private const string NoTimelyConnect = ",connectTimeout=300000";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(90);

    private readonly TestResources _resources = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-no-redis-").FullName;
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public async Task DisposeAsync()
    {
        await _resources.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Start_StandaloneRedisPaused_ListensAt503AndIssuesOnceRedisAnswers()
    {
        var redis = _resources.Add(await RedisServer.StartNewAsync());
        await redis.PauseAsync();
        try
        {
            await using var gateway = await StartGatewayAsync(redis.ConnectionString + NoTimelyConnect);
            using var client = new HttpClient { BaseAddress = gateway.Address };

            await AssertNotReadyAsync(client);

            await redis.ResumeAsync();
            await AssertReadyAndIssuesAsync(client);
        }
        finally
        {
            await redis.ResumeAsync();
        }
    }

    [Fact]
    public async Task Start_SentinelsPaused_ListensAt503AndIssuesOnceTheyAnswer()
    {
        await using var group = await RedisSentinelGroup.StartNewAsync();
        foreach (var port in group.SentinelPorts)
        {
            // Resumed by the group's dispose, whatever happens here.
            await group.PauseSentinelAsync(port);
        }

        await using var gateway = await StartGatewayAsync(group.ConnectionString + NoTimelyConnect);
        using var client = new HttpClient { BaseAddress = gateway.Address };

        await AssertNotReadyAsync(client);

        await group.ResumeSentinelsAsync();
        await AssertReadyAndIssuesAsync(client);
    }

    private async Task<GatewayProcess> StartGatewayAsync(string redis)
    {
        var config = new GatewayConfig(_provider.Address, redis);
        var path = config.WriteTo(Path.Combine(_directory, $"gateway-{Guid.NewGuid():N}.json"));
        return await GatewayProcess.StartAsync(_directory, null, "--config", path);
    }

    private async Task AssertNotReadyAsync(HttpClient client)
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative)).WaitAsync(HangGuard)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("/readyz", UriKind.Relative)).WaitAsync(HangGuard)).StatusCode);
        var refused = await client.RequestCodeAsync(TestMobiles.Next());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("temporarily unavailable", await GatewayClient.MessageOfAsync(refused), StringComparison.Ordinal);
        Assert.Empty(_provider.Requests);
    }

    private async Task AssertReadyAndIssuesAsync(HttpClient client)
    {
        Assert.True(
            await GatewayClient.EventuallyAsync(async () => (await client.GetAsync(new Uri("/readyz", UriKind.Relative)).WaitAsync(HangGuard)).IsSuccessStatusCode, ReadyBound),
            "/readyz did not turn 200 once Redis answered.");
        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Single(_provider.RequestsFor(mobile));
    }
}
