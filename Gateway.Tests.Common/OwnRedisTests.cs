namespace Gateway.Tests.Common;

/// <summary>
/// A test class with a <c>redis-server</c> and a recording provider of its own, started for each test: for tests that
/// stop, pause or corrupt Redis, which a shared fixture's other tests must not see.
/// </summary>
public abstract class OwnRedisTests : OwnDeploymentTests<RedisServer>
{
    protected override Task<RedisServer> StartRedisAsync() => RedisServer.StartNewAsync();
}
