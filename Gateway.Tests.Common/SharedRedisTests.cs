namespace Gateway.Tests.Common;

/// <summary>
/// A test class whose tests share one <c>redis-server</c> (the class's <see cref="RedisFixture"/>, emptied before each
/// test) and start a recording provider each, released after the test (<see cref="TestResources"/>). Tests that stop,
/// pause or corrupt Redis use <see cref="OwnRedisTests"/> instead.
/// </summary>
public abstract class SharedRedisTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    /// <summary>What the test started, disposed after it, paused processes resumed first.</summary>
    protected TestResources Resources { get; } = new();

    protected RedisServer Redis => redis.Server;

    protected RecordingSmsProvider Provider { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await redis.Server.Server.FlushAllDatabasesAsync();
        Provider = Resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => Resources.DisposeAsync().AsTask();
}
