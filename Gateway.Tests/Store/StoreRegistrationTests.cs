using Gateway.Middleware.Policies;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Tests.Store;

/// <summary>
/// The store is an explicit choice, set in one place, the gate's options: the in-process one by default, the Redis one
/// when a connection string, connection options or the application's own multiplexer is given.
/// </summary>
public sealed class StoreRegistrationTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task AddSmsCodeGate_Alone_TheInProcessStore()
    {
        await using var services = Services(_ => { });

        Assert.IsType<InMemorySmsCodeStore>(services.GetRequiredService<ISmsCodeStore>());
    }

    [Fact]
    public async Task AddSmsCodeGate_RedisConfigurationOptions_TheRedisStoreWritesToThatServer()
    {
        await using var services = Services(options => options.RedisConfigurationOptions = ConfigurationOptions.Parse(redis.Server.ConnectionString));
        var store = services.GetRequiredService<ISmsCodeStore>();
        var mobile = TestMobiles.Next();

        var result = await store.TryIssueAsync(Request(mobile));

        Assert.IsType<RedisSmsCodeStore>(store);
        Assert.True(result.IsIssued);
        Assert.Equal("123456", (string?)await redis.Server.Database(2).StringGetAsync($"sms_{mobile}"));
    }

    [Fact]
    public async Task AddSmsCodeGate_TheApplicationsOwnMultiplexer_IsUsedAndLeftOpen()
    {
        await using var own = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        var asked = 0;
        var services = Services(options => options.RedisConnectionMultiplexerFactory = () =>
        {
            asked++;
            return Task.FromResult<IConnectionMultiplexer>(own);
        });
        var mobile = TestMobiles.Next();

        Assert.True((await services.GetRequiredService<ISmsCodeStore>().TryIssueAsync(Request(mobile))).IsIssued);
        Assert.Same(own, services.GetRequiredService<RedisConnection>().Multiplexer);
        await services.DisposeAsync();

        Assert.Equal(1, asked);
        Assert.True(own.IsConnected);
        Assert.Equal("1", (string?)await own.GetDatabase(2).StringGetAsync($"send_flag_{mobile}"));
    }

    [Fact]
    public async Task AddSmsCodeGate_SectionThenCode_CodeHasTheLastWord()
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SmsCodeGate:Redis"] = redis.Server.ConnectionString,
            ["SmsCodeGate:StoreTimeout"] = "00:00:02",
            ["SmsCodeGate:StoreBreakDuration"] = "00:00:03",
        }).Build().GetSection("SmsCodeGate");
        var collection = new ServiceCollection().AddLogging();
        collection.AddReverseProxy().AddSmsCodeGate(section, options => options.StoreTimeout = TimeSpan.FromMilliseconds(250));
        await using var services = collection.BuildServiceProvider();

        var store = services.GetRequiredService<IOptions<RedisSmsCodeStoreOptions>>().Value;

        Assert.Equal(redis.Server.ConnectionString, store.Configuration);
        Assert.Equal(TimeSpan.FromMilliseconds(250), store.StoreTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), store.StoreBreakDuration);
    }

    [Fact]
    public async Task AddSmsCodeGate_AMultiplexerTheApplicationRegistered_IsNotTheGates()
    {
        await using var own = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        var collection = new ServiceCollection().AddLogging();
        collection.AddSingleton<IConnectionMultiplexer>(own);
        collection.AddReverseProxy().AddSmsCodeGate(options => options.Policies["p"] = new SmsCodePolicyOptions());
        await using var services = collection.BuildServiceProvider();

        Assert.IsType<InMemorySmsCodeStore>(services.GetRequiredService<ISmsCodeStore>());
        Assert.False(services.GetRequiredService<RedisConnection>().IsConfigured);
    }

    private static ServiceProvider Services(Action<SmsCodeGateOptions> redisSettings)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddReverseProxy().AddSmsCodeGate(options =>
        {
            options.StoreBreakDuration = TimeSpan.FromSeconds(3);
            options.Policies["p"] = new SmsCodePolicyOptions();
            redisSettings(options);
        });
        return services.BuildServiceProvider();
    }

    private static SmsCodeIssueRequest Request(string mobile) =>
        new(2, $"send_flag_{mobile}", $"sms_{mobile}", $"sms_state_{mobile}", "123456", IssueNonce.Next(), 60_000, 300_000);
}
