using Microsoft.Extensions.Hosting;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// Begins opening the Redis connection as the host starts, without waiting for it: the gateway listens at once, and
/// answers 503 (readiness too) until the store is ready.
/// </summary>
internal sealed class RedisConnectionStarter : IHostedService
{
    private readonly RedisConnection _redis;

    public RedisConnectionStarter(RedisConnection redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _redis = redis;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_redis.IsConfigured)
        {
            _ = _redis.Start();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
