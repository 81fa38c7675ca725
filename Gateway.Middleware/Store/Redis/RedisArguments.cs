using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// Reused KEYS and ARGV arrays for the hot path's script calls, one of each length per thread. An array is taken
/// for one call and given back only once that call has completed with an answer: a call that timed out or failed
/// may still be queued or written, holding its arrays, and those are left to the GC.
/// </summary>
internal static class RedisArguments
{
    private const int MaxLength = 16;

    [ThreadStatic]
    private static RedisKey[]?[]? t_keys;

    [ThreadStatic]
    private static RedisValue[]?[]? t_values;

    public static RedisKey[] RentKeys(int length) => Take(ref t_keys, length);

    public static RedisValue[] RentValues(int length) => Take(ref t_values, length);

    /// <summary>Gives the arrays of a completed call back; the values are cleared so that no code or key outlives the call.</summary>
    public static void Return(RedisKey[] keys, RedisValue[] values)
    {
        Array.Clear(keys);
        Array.Clear(values);
        Give(ref t_keys, keys);
        Give(ref t_values, values);
    }

    private static T[] Take<T>(ref T[]?[]? slots, int length)
    {
        if (length < MaxLength && slots?[length] is { } array)
        {
            slots[length] = null;
            return array;
        }

        return new T[length];
    }

    private static void Give<T>(ref T[]?[]? slots, T[] array)
    {
        if (array.Length < MaxLength)
        {
            slots ??= new T[MaxLength][];
            slots[array.Length] = array;
        }
    }
}
