namespace Gateway.Tests.Common;

/// <summary>
/// A test class with a <c>redis-server</c> and a recording provider of its own, started for each test: for tests that
/// stop, pause or corrupt Redis, which a shared fixture's other tests must not see.
/// </summary>
public abstract class OwnRedisTests : IAsyncLifetime
{
    /// <summary>What the test started, disposed after it, paused processes resumed first.</summary>
    protected TestResources Resources { get; } = new();

    protected RedisServer Redis { get; private set; } = null!;

    protected RecordingSmsProvider Provider { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = Resources.Add(await RedisServer.StartNewAsync());
        Provider = Resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => Resources.DisposeAsync().AsTask();
}
