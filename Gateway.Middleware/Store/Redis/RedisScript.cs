using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// A Lua script and its SHA1, sent as <c>EVALSHA</c> by hash. StackExchange.Redis's string overload finds the
/// hash again on every call by hashing the whole source, which costs the hot path more than the rest of the
/// message; the store sends the source only when the server answers NOSCRIPT (after a restart, a failover or
/// <c>SCRIPT FLUSH</c>), and that call loads it.
/// </summary>
internal sealed class RedisScript
{
    [SuppressMessage("Security", "CA5350", Justification = "SHA1 is how Redis names a script (EVALSHA); it protects nothing.")]
    public RedisScript(string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        Source = source;
        Hash = SHA1.HashData(Encoding.UTF8.GetBytes(source));
    }

    public string Source { get; }

    public byte[] Hash { get; }

    /// <summary>Whether Redis refused the call because it does not hold the script: nothing ran.</summary>
    public static bool IsNoScript(Exception exception) =>
        exception is RedisServerException && exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);
}
