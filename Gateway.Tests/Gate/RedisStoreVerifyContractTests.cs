using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Gate;

/// <summary>The verify contract on a real redis-server.</summary>
public sealed class RedisStoreVerifyContractTests(RedisFixture redis) : SmsCodeVerifyContractTests, IClassFixture<RedisFixture>
{
    protected override string? Redis => redis.Server.ConnectionString;

    protected override async Task<string?> ValueOfAsync(GatewayHost host, int database, string key) =>
        await redis.Server.Database(database).StringGetAsync(key);

    protected override Task ResetStoreAsync() => redis.Server.Server.FlushAllDatabasesAsync();

    protected override Task PassSendIntervalAsync(GatewayHost host, string mobile) =>
        redis.Server.Database(2).KeyDeleteAsync($"send_flag_{mobile}");
}
