using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Gateway.Tests.Store;

/// <summary>The store is an explicit choice: the in-process one by default, the Redis one from <c>AddRedisSmsCodeStore</c>.</summary>
public sealed class StoreRegistrationTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task AddSmsCodeGate_Alone_TheInProcessStore()
    {
        await using var services = Services(_ => { });

        Assert.IsType<InMemorySmsCodeStore>(services.GetRequiredService<ISmsCodeStore>());
    }

    [Fact]
    public async Task AddRedisSmsCodeStore_ConfigurationString_TheRedisStoreWritesToThatServer()
    {
        await using var services = Services(s => s.AddRedisSmsCodeStore(options => options.Configuration = redis.Server.ConnectionString));
        var store = services.GetRequiredService<ISmsCodeStore>();
        var mobile = TestMobiles.Next();

        var result = await store.TryIssueAsync(Request(mobile));

        Assert.IsType<RedisSmsCodeStore>(store);
        Assert.True(result.IsIssued);
        Assert.Equal("123456", (string?)await redis.Server.Database(2).StringGetAsync($"sms_{mobile}"));
    }

    [Fact]
    public async Task AddRedisSmsCodeStore_TheApplicationsOwnMultiplexer_IsUsedAndLeftOpen()
    {
        await using var own = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        var asked = 0;
        var services = Services(s => s.AddRedisSmsCodeStore(options => options.ConnectionMultiplexerFactory = () =>
        {
            asked++;
            return Task.FromResult<IConnectionMultiplexer>(own);
        }));
        var mobile = TestMobiles.Next();

        Assert.True((await services.GetRequiredService<ISmsCodeStore>().TryIssueAsync(Request(mobile))).IsIssued);
        Assert.Same(own, services.GetRequiredService<RedisConnection>().Multiplexer);
        await services.DisposeAsync();

        Assert.Equal(1, asked);
        Assert.True(own.IsConnected);
        Assert.Equal("1", (string?)await own.GetDatabase(2).StringGetAsync($"send_flag_{mobile}"));
    }

    [Fact]
    public async Task AddRedisSmsCodeStore_Timeouts_OverTheGateSection()
    {
        await using var services = Services(s => s.AddRedisSmsCodeStore(options =>
        {
            options.Configuration = redis.Server.ConnectionString;
            options.StoreTimeout = TimeSpan.FromMilliseconds(250);
        }));

        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisSmsCodeStoreOptions>>().Value;

        Assert.Equal(TimeSpan.FromMilliseconds(250), options.StoreTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), options.StoreBreakDuration);
    }

    private static ServiceProvider Services(Action<IServiceCollection> store)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSmsCodeGate(options =>
        {
            options.StoreBreakDuration = TimeSpan.FromSeconds(3);
            options.Policies["p"] = new Gateway.Middleware.Configuration.SmsCodePolicyOptions();
        });
        store(services);
        return services.BuildServiceProvider();
    }

    private static SmsCodeIssueRequest Request(string mobile) =>
        new(2, $"send_flag_{mobile}", $"sms_{mobile}", $"sms_state_{mobile}", "123456", IssueNonce.Next(), 60_000, 300_000);
}
