using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Gateway.Tests.Gate;

/// <summary>What only the Redis store shows: legacy keys and TTLs, round trips, outages, several instances.</summary>
public sealed partial class RedisStoreTests : IAsyncLifetime
{
    /// <summary>How long a test waits for what must happen before it fails instead of hanging: not a timing claim.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>The test configuration's StoreBreakDuration.</summary>
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    private readonly TestResources _resources = new();
    private readonly WatchedTimeProvider _time = new();
    private readonly RedisScriptSubstitution? _substitution;
    private RedisServer _redis = null!;
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        _provider = await RecordingSmsProvider.StartAsync();
        _resources.Add(_redis);
        _resources.Add(_provider);
    }

    public RedisStoreTests()
    {
    }

    /// <summary>The gateways this class starts send a broken copy of one script (LuaMutationTests).</summary>
    internal RedisStoreTests(RedisScriptSubstitution substitution) => _substitution = substitution;

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task Issue_DefaultPolicy_WritesLegacyKeysWithLegacyTtlsInDatabase2()
    {
        var host = StartGateway();
        var mobile = TestMobiles.Next();
        var sent = Stopwatch.StartNew();

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().RequestCodeAsync(mobile)).StatusCode);

        var db = _redis.Database(2);
        Assert.Equal("1", (string?)await db.StringGetAsync($"send_flag_{mobile}"));
        Assert.Equal(_provider.RequestsFor(mobile).Single().Code, (string?)await db.StringGetAsync($"sms_{mobile}"));
        await AssertTimeToLiveAsync(db, $"send_flag_{mobile}", 60, sent);
        await AssertTimeToLiveAsync(db, $"sms_{mobile}", 300, sent);
        await AssertTimeToLiveAsync(db, $"sms_state_{mobile}", 300, sent);
        Assert.Equal(3, await DatabaseSizeAsync(2));
        Assert.Equal(0, await DatabaseSizeAsync(0));
    }

    [Fact]
    public async Task Issue_CustomPolicy_UsesItsDatabaseTemplatesAndTtls()
    {
        var host = StartGateway(config =>
        {
            config.Policy["Database"] = 5;
            config.Policy["SendFlagKey"] = "app1:{{{mobile}}}:flag";
            config.Policy["CodeKey"] = "app1:{{{mobile}}}:code";
            config.Policy["SendInterval"] = "00:02:00";
            config.Policy["CodeLifetime"] = "00:10:00";
            config.Policy["CodeLength"] = 8;
        });
        var mobile = TestMobiles.Next();
        var sent = Stopwatch.StartNew();

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().RequestCodeAsync(mobile)).StatusCode);

        var db = _redis.Database(5);
        var code = _provider.RequestsFor(mobile).Single().Code;
        Assert.Matches("^[0-9]{8}$", code);
        Assert.Equal(code, (string?)await db.StringGetAsync($"app1:{{{mobile}}}:code"));
        await AssertTimeToLiveAsync(db, $"app1:{{{mobile}}}:flag", 120, sent);
        await AssertTimeToLiveAsync(db, $"app1:{{{mobile}}}:code", 600, sent);
        Assert.Equal(0, await DatabaseSizeAsync(2));
    }

    [Fact]
    public async Task Issue_LegacyFlagWithoutExpiry_IsRespected()
    {
        var host = StartGateway();
        var mobile = TestMobiles.Next();
        await _redis.Database(2).StringSetAsync($"send_flag_{mobile}", "1");

        var response = await host.CreateClient().RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
        Assert.Empty(_provider.Requests);
    }

    [Fact]
    public async Task Issue_EveryPath_CostsOneScriptCallAndOneRoundTrip()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        await client.RequestCodeAsync(TestMobiles.Next());
        var connection = host.Services.GetRequiredService<RedisConnection>().Multiplexer;
        var commandsBefore = await _redis.CommandCountsAsync();
        var operationsBefore = connection.GetCounters().Interactive.OperationCount;

        var mobiles = Enumerable.Range(0, 5).Select(_ => TestMobiles.Next()).ToList();
        foreach (var mobile in mobiles)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        }

        var commandsAfter = await _redis.CommandCountsAsync();
        Assert.Equal(10, commandsAfter["evalsha"] - commandsBefore.GetValueOrDefault("evalsha"));
        Assert.Equal(commandsBefore.GetValueOrDefault("eval"), commandsAfter.GetValueOrDefault("eval"));
        Assert.Equal(10, connection.GetCounters().Interactive.OperationCount - operationsBefore);
    }


    [Fact]
    public async Task Issue_ServerForgotTheScripts_SendsTheSourceOnceAndIssues()
    {
        // A restart, a failover to a replica that never ran the script, or SCRIPT FLUSH: EVALSHA answers NOSCRIPT.
        var host = StartGateway();
        var client = host.CreateClient();
        await client.RequestCodeAsync(TestMobiles.Next());
        await _redis.Server.ExecuteAsync("SCRIPT", "FLUSH");
        var commandsBefore = await _redis.CommandCountsAsync();
        var mobile = TestMobiles.Next();

        var first = await client.RequestCodeAsync(mobile);
        var commandsBetween = await _redis.CommandCountsAsync();
        var second = await client.RequestCodeAsync(TestMobiles.Next());
        var commandsAfter = await _redis.CommandCountsAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(_provider.RequestsFor(mobile).Single().Code, (string?)await _redis.Database(2).StringGetAsync($"sms_{mobile}"));
        Assert.Equal(1, commandsBetween["eval"] - commandsBefore.GetValueOrDefault("eval"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, commandsAfter["evalsha"] - commandsBetween["evalsha"]);
        Assert.Equal(commandsBetween["eval"], commandsAfter["eval"]);
        Assert.False(host.Services.GetRequiredService<StoreCircuitBreaker>().IsOpen);
    }
    [Fact]
    public async Task Issue_AllCapsOn_EveryRefusalPathCostsOneRoundTrip()
    {
        var host = StartGateway(config =>
        {
            config.Policy["MaxPerHour"] = 1;
            config.Policy["MaxPerDay"] = 10;
            config.Policy["MaxPerIpPerHour"] = 3;
            config.Policy["MaxSendsPerMinute"] = 100;
        });
        var client = host.CreateClient();
        await client.RequestCodeAsync(TestMobiles.Next());
        var connection = host.Services.GetRequiredService<RedisConnection>().Multiplexer;
        var evalshaBefore = (await _redis.CommandCountsAsync()).GetValueOrDefault("evalsha");
        var operationsBefore = connection.GetCounters().Interactive.OperationCount;
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        await _redis.Database(2).KeyDeleteAsync($"send_flag_{mobile}");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        Assert.Equal(5, (await _redis.CommandCountsAsync())["evalsha"] - evalshaBefore);
        Assert.Equal(5, connection.GetCounters().Interactive.OperationCount - operationsBefore);
        Assert.Equal(3, _provider.Requests.Count);
    }

    [Fact]
    public async Task Redis_Stopped_Answers503OnTheClosedConnectionThenTheBreakerWithoutWaitingOrForwarding_AndRecoversWhenBack()
    {
        // The store timeout is on a clock that stands still: it cannot answer. Why the gate answered, it counts (error.type).
        var host = StartGateway(time: _time);
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        await _redis.StopAsync();
        var outageMobile = TestMobiles.Next();
        var during = await client.RequestCodeAsync(outageMobile);
        var again = await client.RequestCodeAsync(outageMobile);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Contains("temporarily unavailable", await GatewayClient.MessageOfAsync(during), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        // At once: the first from the connection Redis closed as it died (not a timeout), the second from the breaker
        // (no call to Redis at all).
        Assert.Equal([RedisFailure.Connection, RedisFailure.BreakerOpen], requests.GetMeasurementSnapshot().Select(m => m.Tags.GetValueOrDefault("error.type")).OfType<string>());
        Assert.Empty(_provider.RequestsFor(outageMobile));

        // Back: once reconnected, and the break over (the test moves the clock past it), the same mobile gets its code.
        await _redis.StartAsync();
        Assert.True(await GatewayClient.EventuallyAsync(async () =>
        {
            _time.Advance(BreakDuration);
            return (await client.RequestCodeAsync(outageMobile)).StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(20)));
        Assert.Single(_provider.RequestsFor(outageMobile));
    }

    [Fact]
    public async Task Redis_AnsweringNothing_Answers503WhenTheStoreTimeoutPasses_AndRevokesTheIssueThatLandedLate()
    {
        var host = StartGateway(config => config.WithStoreTimeout(GatewayConfig.StoreTimeoutForAFakeClock), _time);
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        var mobile = TestMobiles.Next();

        // Paused, Redis takes the issue call and answers nothing until it resumes; the gate waits on the fake clock.
        await _redis.PauseAsync();
        var waiting = _time.NextTimerAsync(GatewayConfig.StoreTimeoutForAFakeClock);
        var pending = client.RequestCodeAsync(mobile);
        await waiting.WaitAsync(HangGuard);
        _time.Advance(GatewayConfig.StoreTimeoutForAFakeClock - TimeSpan.FromMilliseconds(1));
        Assert.False(pending.IsCompleted, "answered before the store timeout passed");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var response = await pending;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty(_provider.RequestsFor(mobile));

        // Resumed, Redis runs the issue the gate gave up on, and then the gate's revoke of it.
        await _redis.ResumeAsync();
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(
            host.Logs.GetSnapshot().Any(l => l.Id.Name == "LateIssueRevoked" && l.Message.Contains("keys deleted: True", StringComparison.Ordinal)))));
        Assert.False(await _redis.Database(2).KeyExistsAsync($"send_flag_{mobile}"));
        Assert.False(await _redis.Database(2).KeyExistsAsync($"sms_{mobile}"));
    }

    [Fact]
    public async Task TwoInstances_SharingRedis_BurstForOneMobile_ForwardsExactlyOne()
    {
        var first = StartGateway().CreateClient();
        var second = StartGateway().CreateClient();
        first.Timeout = second.Timeout = GatewayClient.BurstHangGuard;
        var mobile = TestMobiles.Next();

        // Each request waits behind the others: the burst as a whole has the hang guard, not each request.
        var responses = await Task.WhenAll(Enumerable.Range(0, 400)
            .Select(i => (i % 2 == 0 ? first : second).RequestCodeAsync(mobile, within: GatewayClient.BurstHangGuard)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(399, responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest));
        Assert.Single(_provider.RequestsFor(mobile));
    }

    /// <summary>
    /// A host on the test's Redis. On the real clock its store timeout is beyond the hang guards (a slow machine must
    /// not read as an outage); the tests of outages pass the fake clock, on which the store timeout stands still.
    /// </summary>
    private GatewayHost StartGateway(Action<GatewayConfig>? edit = null, TimeProvider? time = null)
    {
        var config = new GatewayConfig(_provider.Address, _redis.ConnectionString);
        if (time is null)
        {
            config.WithStoreTimeout(GatewayConfig.StoreTimeoutBeyondHangGuards);
        }

        edit?.Invoke(config);
        var host = _resources.Add(new GatewayHost(config, configureServices: services =>
        {
            if (time is not null)
            {
                services.AddSingleton(time);
            }

            if (_substitution is not null)
            {
                services.AddSingleton(_substitution);
            }
        }));
        return host.Start().WaitUntilConnected();
    }

    /// <summary>
    /// A key's time to live is <paramref name="seconds"/>, less at most 2 s or, on a machine slow enough to take longer,
    /// the time since <paramref name="sent"/> started (before the request that wrote it): not a bound on the machine's speed.
    /// </summary>
    private static async Task AssertTimeToLiveAsync(StackExchange.Redis.IDatabase db, string key, int seconds, Stopwatch sent)
    {
        var left = (await db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds;
        Assert.InRange(left, Math.Min(seconds - 2, seconds - sent.Elapsed.TotalSeconds), seconds);
    }

    private async Task<long> DatabaseSizeAsync(int database) =>
        (long)await _redis.Admin.GetDatabase(database).ExecuteAsync("DBSIZE");
}
