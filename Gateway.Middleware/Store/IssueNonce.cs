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

    /// <summary>
    /// A nonce that also carries the client's <c>Idempotency-Key</c> (after a <c>|</c>), when it sent a usable one:
    /// 1 to 64 of <c>A-Z a-z 0-9 - _ . :</c>. Stored with the code, it lets a repeat of the same request be known.
    /// </summary>
    public static string Next(string? idempotencyKey) =>
        idempotencyKey is { Length: > 0 and <= 64 } && idempotencyKey.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? string.Concat(Next(), "|", idempotencyKey)
            : Next();

    /// <summary>The <c>|key</c> part of a nonce, as the issue script compares it; null when it carries no key.</summary>
    public static string? IdempotencyKeyOf(string? nonce) =>
        nonce?.IndexOf('|', StringComparison.Ordinal) is int bar and >= 0 ? nonce[bar..] : null;
}
