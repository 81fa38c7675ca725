namespace Gateway.Middleware.Store;

/// <summary>
/// The in-process store: the same semantics as the Redis scripts, for a single gateway instance
/// (development, demos). Expiry runs on the injected <see cref="TimeProvider"/>'s monotonic clock. The verify calls
/// are in InMemorySmsCodeStore.Verify.cs.
/// </summary>
internal sealed partial class InMemorySmsCodeStore : ISmsCodeStore
{
    private const int WritesBetweenSweeps = 1024;

    private readonly Dictionary<(int Database, string Key), Entry> _entries = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private int _writesSinceSweep;

    public InMemorySmsCodeStore(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    public bool IsShared => false;

    public ValueTask<SmsCodeIssueResult> TryIssueAsync(SmsCodeIssueRequest request)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            var refusal = SmsCodeIssueResult.Issued;
            var flagLeft = MillisecondsLeft((request.Database, request.SendFlagKey), now);
            if (flagLeft > 0)
            {
                if (IssueNonce.IdempotencyKeyOf(request.Nonce) is { } key
                    && TryGetLive((request.Database, request.CodeStateKey), now, out var state)
                    && IssueNonce.IdempotencyKeyOf(state.Value) == key)
                {
                    return ValueTask.FromResult(new SmsCodeIssueResult(SmsCodeRefusal.Repeat, flagLeft, state.Value));
                }

                refusal = new SmsCodeIssueResult(SmsCodeRefusal.Interval, flagLeft);
            }

            foreach (var counter in CountersOf(request))
            {
                if (counter.IsOn && TryGetLive((request.Database, counter.Key!), now, out var entry) && entry.Count >= counter.Limit)
                {
                    var left = MillisecondsLeft((request.Database, counter.Key!), now);
                    if (left > refusal.RetryAfterMilliseconds)
                    {
                        refusal = new SmsCodeIssueResult(counter.Refusal, left);
                    }
                }
            }

            if (!refusal.IsIssued)
            {
                return ValueTask.FromResult(refusal);
            }

            var block = default(SmsCodeBlockOutcome);
            if (request.Block.IsOn)
            {
                (var blockRefusal, var blockLeft, block) = CheckBlock(request, now);
                if (blockRefusal != SmsCodeRefusal.None)
                {
                    return ValueTask.FromResult(new SmsCodeIssueResult(blockRefusal, blockLeft) { Block = block });
                }

                block = block with { Sends = CountBlockSend(request, now) is > 0 and var sends ? sends : block.Sends };
            }

            Write((request.Database, request.SendFlagKey), new Entry("1", 0, Expiry(now, request.SendIntervalMilliseconds)), now);
            Write((request.Database, request.CodeKey), new Entry(request.Code, 0, Expiry(now, request.CodeLifetimeMilliseconds)), now);
            Write((request.Database, request.CodeStateKey),
                new Entry(request.Nonce, 0, Expiry(now, Math.Max(request.SendIntervalMilliseconds, request.CodeLifetimeMilliseconds))), now);
            foreach (var counter in CountersOf(request))
            {
                if (counter.IsOn)
                {
                    var key = (request.Database, counter.Key!);
                    var next = TryGetLive(key, now, out var entry)
                        ? entry with { Count = entry.Count + 1 }
                        : new Entry(null, 1, Expiry(now, counter.WindowMilliseconds));
                    Write(key, next, now);
                }
            }

            return ValueTask.FromResult(SmsCodeIssueResult.Issued with { Block = block });
        }
    }

    public ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            var stateKey = (request.Database, request.CodeStateKey);
            if (!TryGetLive(stateKey, now, out var state) || state.Value != request.Nonce)
            {
                return ValueTask.FromResult(false);
            }

            _entries.Remove(stateKey);
            _entries.Remove((request.Database, request.CodeKey));
            _entries.Remove((request.Database, request.SendFlagKey));
            if (request.Block.IsOn)
            {
                UncountBlockSend(request, now);
            }

            foreach (var counter in CountersOf(request))
            {
                var key = (request.Database, counter.Key!);
                if (counter.IsOn && TryGetLive(key, now, out var entry))
                {
                    if (entry.Count <= 1)
                    {
                        _entries.Remove(key);
                    }
                    else
                    {
                        _entries[key] = entry with { Count = entry.Count - 1 };
                    }
                }
            }

            return ValueTask.FromResult(true);
        }
    }

    public ValueTask PingAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private static SmsCodeCounter[] CountersOf(in SmsCodeIssueRequest request) =>
        [request.PerHour, request.PerDay, request.PerIpPerHour, request.SendsPerMinute];

    private long Expiry(long now, long lifetimeMilliseconds) => now + (lifetimeMilliseconds * _timeProvider.TimestampFrequency / 1000);

    private long MillisecondsLeft((int, string) key, long now) =>
        TryGetLive(key, now, out var entry)
            ? Math.Max(1, (entry.ExpiresAt - now) * 1000 / _timeProvider.TimestampFrequency)
            : 0;

    private bool TryGetLive((int, string) key, long now, out Entry entry) =>
        _entries.TryGetValue(key, out entry) && entry.ExpiresAt > now;

    private void Write((int, string) key, Entry entry, long now)
    {
        _entries[key] = entry;
        if (++_writesSinceSweep >= WritesBetweenSweeps)
        {
            _writesSinceSweep = 0;
            foreach (var (staleKey, stale) in _entries)
            {
                if (stale.ExpiresAt <= now)
                {
                    _entries.Remove(staleKey);
                }
            }
        }
    }

    /// <summary>
    /// A key's value, count and expiry; <paramref name="Spent"/> marks a code state whose attempts are spent, and
    /// <paramref name="BusyBy"/> the attempt that holds the code until <paramref name="BusyUntil"/>.
    /// </summary>
    private readonly record struct Entry(string? Value, long Count, long ExpiresAt, bool Spent = false, string? BusyBy = null, long BusyUntil = 0);
}
