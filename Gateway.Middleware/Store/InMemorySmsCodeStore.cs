namespace Gateway.Middleware.Store;

/// <summary>
/// The in-process store: the same semantics as the Redis scripts, for a single gateway instance
/// (development, demos). Expiry runs on the injected <see cref="TimeProvider"/>'s monotonic clock.
/// </summary>
internal sealed class InMemorySmsCodeStore : ISmsCodeStore
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
            var left = MillisecondsLeft((request.Database, request.SendFlagKey), now);
            if (left > 0)
            {
                return ValueTask.FromResult(new SmsCodeIssueResult(SmsCodeRefusal.Interval, left));
            }

            Write((request.Database, request.SendFlagKey), "1", request.SendIntervalMilliseconds, now);
            Write((request.Database, request.CodeKey), request.Code, request.CodeLifetimeMilliseconds, now);
            return ValueTask.FromResult(SmsCodeIssueResult.Issued);
        }
    }

    public ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request, long elapsedMilliseconds)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            var codeKey = (request.Database, request.CodeKey);
            var flagKey = (request.Database, request.SendFlagKey);
            if (!TryGetLive(codeKey, now, out var code) || code.Value != request.Code
                || MillisecondsLeft(flagKey, now) > request.MaxOwnFlagMilliseconds(elapsedMilliseconds))
            {
                return ValueTask.FromResult(false);
            }

            _entries.Remove(codeKey);
            _entries.Remove(flagKey);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask PingAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>The time left on a key in milliseconds, or 0 when it is absent or expired.</summary>
    internal long MillisecondsLeft(int database, string key)
    {
        lock (_lock)
        {
            return MillisecondsLeft((database, key), _timeProvider.GetTimestamp());
        }
    }

    /// <summary>The value of a live key, or null.</summary>
    internal string? ValueOf(int database, string key)
    {
        lock (_lock)
        {
            return TryGetLive((database, key), _timeProvider.GetTimestamp(), out var entry) ? entry.Value : null;
        }
    }

    private long MillisecondsLeft((int, string) key, long now) =>
        TryGetLive(key, now, out var entry)
            ? Math.Max(1, (entry.ExpiresAt - now) * 1000 / _timeProvider.TimestampFrequency)
            : 0;

    private bool TryGetLive((int, string) key, long now, out Entry entry)
    {
        if (_entries.TryGetValue(key, out entry) && entry.ExpiresAt > now)
        {
            return true;
        }

        return false;
    }

    private void Write((int, string) key, string value, long lifetimeMilliseconds, long now)
    {
        _entries[key] = new Entry(value, now + (lifetimeMilliseconds * _timeProvider.TimestampFrequency / 1000));
        if (++_writesSinceSweep >= WritesBetweenSweeps)
        {
            _writesSinceSweep = 0;
            foreach (var (staleKey, entry) in _entries)
            {
                if (entry.ExpiresAt <= now)
                {
                    _entries.Remove(staleKey);
                }
            }
        }
    }

    private readonly record struct Entry(string Value, long ExpiresAt);
}
