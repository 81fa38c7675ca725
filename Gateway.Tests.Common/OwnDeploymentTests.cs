namespace Gateway.Tests.Common;

/// <summary>
/// A test class with a Redis deployment of its own (a server, a Cluster, a Sentinel group) and a recording provider,
/// started for each test and released after it, paused processes resumed first (<see cref="TestResources"/>).
/// </summary>
/// <typeparam name="TRedis">What <see cref="StartRedisAsync"/> starts.</typeparam>
public abstract class OwnDeploymentTests<TRedis> : IAsyncLifetime
    where TRedis : class, IAsyncDisposable
{
    /// <summary>What the test started, disposed after it, paused processes resumed first.</summary>
    protected TestResources Resources { get; } = new();

    protected TRedis Redis { get; private set; } = null!;

    protected RecordingSmsProvider Provider { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Redis = Resources.Add(await StartRedisAsync());
        Provider = Resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => Resources.DisposeAsync().AsTask();

    /// <summary>Starts the deployment, before the provider.</summary>
    protected abstract Task<TRedis> StartRedisAsync();
}
