namespace Gateway.Middleware.Store;

/// <summary>
/// The Lua scripts of the Redis store. Each runs atomically in one round trip; StackExchange.Redis sends
/// them by SHA (EVALSHA) and re-sends the source when the server answers NOSCRIPT. Every key a script
/// touches is passed in KEYS, so Redis Cluster can route it.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// KEYS[1] send flag, KEYS[2] code. ARGV[1] code, ARGV[2] send interval (ms), ARGV[3] code lifetime (ms).
    /// Returns {0, 0} when issued, or {refusal, milliseconds until a send may pass}.
    /// A flag without expiry (written by hand) counts as present for a whole interval.
    /// </summary>
    public const string Issue = """
        local left = redis.call('PTTL', KEYS[1])
        if left ~= -2 then
          if left < 0 then left = tonumber(ARGV[2]) end
          return {1, left}
        end
        redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
        redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
        return {0, 0}
        """;

    /// <summary>
    /// KEYS[1] send flag, KEYS[2] code. ARGV[1] the code this request stored, ARGV[2] the largest time-to-live
    /// its own flag can have left (ms). Deletes both only while the code is still this request's and the flag is
    /// not a newer request's. Returns 1 when deleted, 0 otherwise.
    /// </summary>
    public const string Revoke = """
        if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
        if redis.call('PTTL', KEYS[1]) > tonumber(ARGV[2]) then return 0 end
        redis.call('DEL', KEYS[1], KEYS[2])
        return 1
        """;
}
