namespace Gateway.Tests.Common.Redis;

/// <summary>One redis-server per test class, so that classes run in parallel without sharing keys.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The Redis fixture has not started.");

    public async Task InitializeAsync() => _server = await RedisServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
