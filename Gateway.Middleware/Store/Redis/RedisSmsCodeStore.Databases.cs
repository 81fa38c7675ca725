using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>The Redis store's databases, cached per connection.</summary>
internal sealed partial class RedisSmsCodeStore
{
    /// <summary>
    /// The database to send on, cached per connection: behind Sentinel the connection changes with the master, and
    /// the cache with it.
    /// </summary>
    private IDatabase DatabaseOf(int database)
    {
        var multiplexer = _redis.Multiplexer;
        var cache = _databases;
        if (cache is null || !ReferenceEquals(cache.Multiplexer, multiplexer))
        {
            cache = new DatabaseCache(multiplexer);
            _databases = cache;
        }

        if ((uint)database >= (uint)cache.Databases.Length)
        {
            return multiplexer.GetDatabase(database);
        }

        return cache.Databases[database] ??= multiplexer.GetDatabase(database);
    }

    /// <summary>The databases of one connection (numbers 0 to 15), made on first use.</summary>
    private sealed class DatabaseCache(IConnectionMultiplexer multiplexer)
    {
        public IConnectionMultiplexer Multiplexer { get; } = multiplexer;

        public IDatabase?[] Databases { get; } = new IDatabase?[16];
    }
}
