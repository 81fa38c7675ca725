namespace Gateway.Middleware.Store;

/// <summary>
/// Number blocks in the in-process store, with issue.lua's and conversion.lua's semantics: the block's sends and
/// verifications in its window, its hourly cap, its blocked key, and remembered mobiles.
/// </summary>
internal sealed partial class InMemorySmsCodeStore : ISmsCodeBlockStore
{
    // The in-process store keeps the block's two counts under two keys with one expiry, as the hash's two fields.
    private const string VerifiedField = "\nverified";

    public ValueTask<IReadOnlyList<SmsCodeBlockedBlock>> ListBlockedAsync(int database, string prefix, string suffix, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            var blocked = new List<SmsCodeBlockedBlock>();
            foreach (var ((db, key), entry) in _entries)
            {
                if (db == database && entry.ExpiresAt > now && BlockOf(key, prefix, suffix) is { } block)
                {
                    blocked.Add(new SmsCodeBlockedBlock(block, entry.Count, entry.BusyUntil, MillisecondsLeft((db, key), now)));
                }
            }

            return ValueTask.FromResult<IReadOnlyList<SmsCodeBlockedBlock>>(blocked);
        }
    }

    public ValueTask<bool> UnblockAsync(int database, string blockedKey, string counterKey, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            var wasBlocked = TryGetLive((database, blockedKey), now, out _);
            _entries.Remove((database, blockedKey));
            _entries.Remove((database, counterKey));
            _entries.Remove((database, counterKey + VerifiedField));
            return ValueTask.FromResult(wasBlocked);
        }
    }

    /// <summary>The block's refusal for a send (before anything is counted), or <see cref="SmsCodeRefusal.None"/>; blocks it when the guard says so.</summary>
    private (SmsCodeRefusal Refusal, long MillisecondsLeft, SmsCodeBlockOutcome Outcome) CheckBlock(in SmsCodeIssueRequest request, long now)
    {
        var block = request.Block;
        var db = request.Database;
        var sends = TryGetLive((db, block.CounterKey), now, out var counted) ? counted.Count : 0;
        var verified = TryGetLive((db, block.CounterKey + VerifiedField), now, out var converted) ? converted.Count : 0;
        var refusal = SmsCodeRefusal.None;
        long left = 0;
        var blockedNow = false;
        if (block.Guards)
        {
            var blocked = TryGetLive((db, block.BlockedKey), now, out _);
            if (!blocked && sends >= block.MinSends && verified < block.MinConversion * sends)
            {
                // The blocked entry keeps the counts it was blocked with: Count the sends, BusyUntil the verifications.
                Write((db, block.BlockedKey), new Entry(null, sends, Expiry(now, block.BlockForMilliseconds), BusyUntil: verified), now);
                blocked = blockedNow = true;
            }

            if (blocked && !TryGetLive((db, block.RememberedKey), now, out _))
            {
                refusal = SmsCodeRefusal.Block;
                left = MillisecondsLeft((db, block.BlockedKey), now);
            }
        }

        if (refusal == SmsCodeRefusal.None && block.MaxPerHour > 0
            && TryGetLive((db, block.HourCounterKey), now, out var hour) && hour.Count >= block.MaxPerHour)
        {
            refusal = SmsCodeRefusal.BlockHour;
            left = MillisecondsLeft((db, block.HourCounterKey), now);
        }

        var shadow = SmsCodeRefusal.None;
        if (refusal != SmsCodeRefusal.None && block.Shadow)
        {
            (shadow, refusal) = (refusal, SmsCodeRefusal.None);
        }

        return (refusal, left, new SmsCodeBlockOutcome(shadow, blockedNow, sends, verified));
    }

    /// <summary>Counts an issued send for its block: the hourly cap, and the guard's sends in the window.</summary>
    private long CountBlockSend(in SmsCodeIssueRequest request, long now)
    {
        var block = request.Block;
        if (block.MaxPerHour > 0)
        {
            Increment((request.Database, block.HourCounterKey), SmsCodeCounter.HourMilliseconds, now, 1);
        }

        return block.Guards ? Increment((request.Database, block.CounterKey), block.WindowMilliseconds, now, 1) : 0;
    }

    /// <summary>Takes back a revoked send's block counts.</summary>
    private void UncountBlockSend(in SmsCodeIssueRequest request, long now)
    {
        var block = request.Block;
        if (block.MaxPerHour > 0)
        {
            Increment((request.Database, block.HourCounterKey), SmsCodeCounter.HourMilliseconds, now, -1);
        }

        if (block.Guards)
        {
            Increment((request.Database, block.CounterKey), block.WindowMilliseconds, now, -1);
        }
    }

    /// <summary>A verification succeeded: counts it for the block and remembers the mobile (conversion.lua).</summary>
    private void Converted(in SmsCodeVerifyRequest request, long now)
    {
        var block = request.Block;
        if (!block.Guards)
        {
            return;
        }

        // The verifications share the sends' window: they start it when they come first, and follow its expiry otherwise.
        var sendsKey = (request.Database, block.CounterKey);
        var window = TryGetLive(sendsKey, now, out var sends)
            ? (sends.ExpiresAt - now) * 1000 / _timeProvider.TimestampFrequency
            : block.WindowMilliseconds;
        Increment((request.Database, block.CounterKey + VerifiedField), window, now, 1);
        if (block.RememberMilliseconds > 0)
        {
            Write((request.Database, block.RememberedKey), new Entry("1", 0, Expiry(now, block.RememberMilliseconds)), now);
        }
    }

    /// <summary>Adds <paramref name="by"/> to a counter, starting its window when absent; removes it at 0. Returns the count.</summary>
    private long Increment((int, string) key, long windowMilliseconds, long now, long by)
    {
        var count = (TryGetLive(key, now, out var entry) ? entry.Count : 0) + by;
        if (count <= 0)
        {
            _entries.Remove(key);
            return 0;
        }

        Write(key, entry.ExpiresAt > now ? entry with { Count = count } : new Entry(null, count, Expiry(now, windowMilliseconds)), now);
        return count;
    }

    private static string? BlockOf(string key, string prefix, string suffix)
    {
        if (key.Length <= prefix.Length + suffix.Length || !key.StartsWith(prefix, StringComparison.Ordinal) || !key.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var block = key[prefix.Length..^suffix.Length];
        return block.All(char.IsAsciiDigit) ? block : null;
    }
}
