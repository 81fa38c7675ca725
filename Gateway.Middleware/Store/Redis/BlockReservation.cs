using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>The answer of <c>reserve_block.lua</c>: what a number block's own slot says of one send (Redis Cluster).</summary>
internal readonly record struct BlockReservation(
    bool Blocked, long BlockedMilliseconds, bool Capped, long CapMilliseconds, bool Counted, bool BlockedNow, long Sends, long Verified)
{
    public static BlockReservation Of(RedisResult result)
    {
        try
        {
            var values = (RedisResult[])result!;
            return new((int)values[0] == 1, (long)values[1], (int)values[2] == 1, (long)values[3], (int)values[4] == 1, (int)values[5] == 1, (long)values[6], (long)values[7]);
        }
        catch (Exception ex) when (ex is InvalidCastException or IndexOutOfRangeException)
        {
            throw RedisFailure.Unavailable("Redis answered the block's script with an unexpected shape.", ex);
        }
    }
}
