using System.Net;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Gateway.Tests.Host;

/// <summary>
/// What the real host logs through a Redis outage (a real redis-server stopped and started again): readiness
/// failures through the gate's log throttle, not one Error line per probe; the store's return once; a send that
/// never reached Redis said as such. Time is a fake clock, moved by the test.
/// </summary>
public sealed class OutageLogTests : OwnRedisTests
{
    private const string HealthCheckService = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";
    private static readonly Uri Readyz = new("/readyz", UriKind.Relative);
    private readonly WatchedTimeProvider _time = new();

    [Fact]
    public async Task Readyz_ProbedThroughAnOutage_OneWarningPerIntervalNoErrorLinePerProbe()
    {
        // Another application check that always fails: its lines are ASP.NET Core's, and stay.
        var host = StartGateway(services => services.AddHealthChecks()
            .AddCheck("other", () => HealthCheckResult.Unhealthy("other is down"), tags: ["ready"]));
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(Readyz)).StatusCode);
        Assert.Empty(Named(host, "StoreNotReady"));

        await Redis.StopAsync();
        for (var probe = 0; probe < 10; probe++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(Readyz)).StatusCode);
        }

        Assert.Single(Named(host, "StoreNotReady"));
        Assert.Empty(HealthCheckEndErrors(host, "sms_code_store"));
        Assert.Equal(11, HealthCheckEndErrors(host, "other").Count);

        _time.Advance(LogThrottle.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(Readyz)).StatusCode);

        var warnings = Named(host, "StoreNotReady");
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, warning => Assert.Equal(LogLevel.Warning, warning.Level));
        Assert.Contains("9 more such probes since the last such line", warnings[1].Message, StringComparison.Ordinal);
        Assert.Empty(HealthCheckEndErrors(host, "sms_code_store"));
    }

    [Fact]
    public async Task Readyz_RedisBackAfterAnOutage_LoggedOnceAtInformation()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Readyz)).StatusCode);
        await Redis.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(Readyz)).StatusCode);
        Assert.Empty(Named(host, "StoreAnswersAgain"));

        await RestartRedisAsync(host);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Readyz)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Readyz)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        var back = Assert.Single(Named(host, "StoreAnswersAgain"));
        Assert.Equal(LogLevel.Information, back.Level);
        Assert.Contains("3 s after the first failure logged", back.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_RedisBackAfterRequestsFailed_LoggedOnceAtInformation()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        await Redis.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        await RestartRedisAsync(host);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        Assert.Single(Named(host, "StoreUnavailable"));
        Assert.Single(Named(host, "StoreAnswersAgain"));
    }

    [Fact]
    public async Task Send_RedisStopped_SaysTheCallNeverReachedRedisAndWarnsOfNoRevoke()
    {
        var host = StartGateway(gateLogLevel: LogLevel.Debug);
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        await Redis.StopAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Named(host, "LateIssueNeverSent").Count == 1), TimeSpan.FromSeconds(20)),
            host.Logs.GetSnapshot().Describe());
        Assert.Contains("never reached Redis", Named(host, "LateIssueNeverSent")[0].Message, StringComparison.Ordinal);
        Assert.Empty(Named(host, "LateIssueUnknown"));
        Assert.Empty(Named(host, "LateRevokeFailed"));
    }

    [Fact]
    public async Task Send_RedisKilledWithTheCallUnanswered_WarnsThatTheUndoFailedAndWhatThatLeaves()
    {
        var host = StartGateway(gateLogLevel: LogLevel.Debug, edit: config => config.WithStoreTimeout(GatewayConfig.StoreTimeoutForAFakeClock));
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        // Paused, Redis takes the issue call and answers nothing; the gate gives up on it at its timeout (fake clock).
        await Redis.PauseAsync();
        var waiting = _time.NextTimerAsync(GatewayConfig.StoreTimeoutForAFakeClock);
        var pending = client.RequestCodeAsync(TestMobiles.Next());
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(GatewayConfig.StoreTimeoutForAFakeClock);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await pending).StatusCode);

        // Then it dies with the call sent: whether the script ran is unknown, and the undo cannot be sent.
        await Redis.StopAsync();

        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Named(host, "LateRevokeFailed").Count == 1), TimeSpan.FromSeconds(20)),
            host.Logs.GetSnapshot().Describe());
        var warning = Named(host, "LateRevokeFailed")[0];
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("had reached Redis before it failed, and undoing it failed too", warning.Message, StringComparison.Ordinal);
        Assert.Contains("the mobile is refused until then", warning.Message, StringComparison.Ordinal);
        Assert.Empty(Named(host, "LateIssueNeverSent"));
    }

    private static List<FakeLogRecord> Named(GatewayHost host, string eventName) =>
        host.Logs.GetSnapshot().Where(record => record.Id.Name == eventName).ToList();

    private static List<FakeLogRecord> HealthCheckEndErrors(GatewayHost host, string check) =>
        host.Logs.GetSnapshot().Where(record => record.Category == HealthCheckService && record.Level >= LogLevel.Error
            && record.Message.Contains($"Health check {check} ", StringComparison.Ordinal)).ToList();

    private async Task RestartRedisAsync(GatewayHost host)
    {
        await Redis.StartAsync();
        var connection = host.Services.GetRequiredService<RedisConnection>();
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(connection.Multiplexer.IsConnected), TimeSpan.FromSeconds(20)));
    }

    private GatewayHost StartGateway(Action<IServiceCollection>? configureServices = null, LogLevel? gateLogLevel = null, Action<GatewayConfig>? edit = null)
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString);
        edit?.Invoke(config);
        return Resources.Add(new GatewayHost(
            config,
            configureServices: services =>
            {
                services.AddSingleton<TimeProvider>(_time);
                configureServices?.Invoke(services);
            },
            gateLogLevel: gateLogLevel).Start());
    }
}
