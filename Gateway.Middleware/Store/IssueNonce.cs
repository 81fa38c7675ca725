using System.Globalization;
using System.Security.Cryptography;

namespace Gateway.Middleware.Store;

/// <summary>
/// Per-request nonces: a random process prefix and a counter, unique across instances without a random draw per
/// request. A revoke compares it, never the code, to recognise its own request's keys.
/// </summary>
internal static class IssueNonce
{
    private static readonly string Prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private static long _counter;

    public static string Next() =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}-{Interlocked.Increment(ref _counter):x}");
}
