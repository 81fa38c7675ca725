using Gateway.Middleware.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The store a contract suite runs on, and how the suite looks into it: a real redis-server, or the in-process store
/// on a fake clock. The suites must pass on both without knowing which.
/// </summary>
public abstract class ContractStore
{
    /// <summary>The Redis configuration string, or null for the in-process store.</summary>
    public abstract string? Redis { get; }

    /// <summary>The time left on a stored key, 0 when absent.</summary>
    public abstract Task<long> MillisecondsLeftAsync(GatewayHost host, int database, string key);

    public abstract Task<string?> ValueOfAsync(GatewayHost host, int database, string key);

    /// <summary>Lets a mobile's send interval pass, as its flag's expiry would.</summary>
    public abstract Task PassSendIntervalAsync(GatewayHost host, string mobile);

    /// <summary>
    /// Commands the store's server has run so far (see <see cref="RedisServer.CommandsRunAsync"/>), to show that a request
    /// never reached it; null for the in-process store, which has no server to ask.
    /// </summary>
    public virtual Task<long?> CommandsRunAsync() => Task.FromResult<long?>(null);

    /// <summary>Services a test host needs for this store (the in-process store's clock).</summary>
    public virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Empties a store that outlives one test; tests in a class run one at a time.</summary>
    public virtual Task ResetAsync() => Task.CompletedTask;
}

/// <summary>The contract on a real redis-server (one per test class).</summary>
public sealed class RedisContractStore(RedisFixture redis) : ContractStore
{
    public override string? Redis => redis.Server.ConnectionString;

    public override async Task<long> MillisecondsLeftAsync(GatewayHost host, int database, string key)
    {
        var left = await redis.Server.Database(database).KeyTimeToLiveAsync(key);
        return left is null ? 0 : (long)left.Value.TotalMilliseconds;
    }

    public override async Task<string?> ValueOfAsync(GatewayHost host, int database, string key) =>
        await redis.Server.Database(database).StringGetAsync(key);

    public override Task ResetAsync() => redis.Server.Server.FlushAllDatabasesAsync();

    public override async Task<long?> CommandsRunAsync() => await redis.Server.CommandsRunAsync();

    public override Task PassSendIntervalAsync(GatewayHost host, string mobile) =>
        redis.Server.Database(2).KeyDeleteAsync($"send_flag_{mobile}");
}

/// <summary>The contract on the in-process store (no SmsCodeGate:Redis), its expiry on a fake clock.</summary>
public sealed class InProcessContractStore : ContractStore
{
    private readonly FakeTimeProvider _time = new();

    public override string? Redis => null;

    public override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<ISmsCodeStore>(new InMemorySmsCodeStore(_time));

    public override Task PassSendIntervalAsync(GatewayHost host, string mobile)
    {
        _time.Advance(TimeSpan.FromSeconds(60));
        return Task.CompletedTask;
    }

    public override Task<long> MillisecondsLeftAsync(GatewayHost host, int database, string key) =>
        Task.FromResult(Store(host).MillisecondsLeft(database, key));

    public override Task<string?> ValueOfAsync(GatewayHost host, int database, string key) =>
        Task.FromResult(Store(host).ValueOf(database, key));

    private static InMemorySmsCodeStore Store(GatewayHost host) =>
        (InMemorySmsCodeStore)host.Services.GetRequiredService<ISmsCodeStore>();
}
