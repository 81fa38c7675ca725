using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Gate;

/// <summary>The gate contract on a real redis-server.</summary>
public sealed class RedisStoreContractTests(RedisFixture redis) : SmsCodeGateContractTests, IClassFixture<RedisFixture>
{
    protected override string? Redis => redis.Server.ConnectionString;

    protected override async Task<long> MillisecondsLeftAsync(GatewayHost host, int database, string key)
    {
        var left = await redis.Server.Database(database).KeyTimeToLiveAsync(key);
        return left is null ? 0 : (long)left.Value.TotalMilliseconds;
    }

    protected override async Task<string?> ValueOfAsync(GatewayHost host, int database, string key) =>
        await redis.Server.Database(database).StringGetAsync(key);

    protected override Task ResetStoreAsync() => redis.Server.Server.FlushAllDatabasesAsync();

    protected override Task PassSendIntervalAsync(GatewayHost host, string mobile) =>
        redis.Server.Database(2).KeyDeleteAsync($"send_flag_{mobile}");
}
