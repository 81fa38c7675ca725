namespace Gateway.Middleware.Store;

/// <summary>The verify calls of the in-process store, with the Redis scripts' semantics (see <see cref="RedisScripts"/>).</summary>
internal sealed partial class InMemorySmsCodeStore
{
    public ValueTask<SmsCodeVerifyResult> CountAttemptAsync(SmsCodeVerifyRequest request, string attempt)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            if (SpentAlready(request, now) is { } spentAlready)
            {
                return ValueTask.FromResult(spentAlready);
            }

            if (!TryGetLive((request.Database, request.CodeKey), now, out _))
            {
                return ValueTask.FromResult(new SmsCodeVerifyResult(SmsCodeVerifyOutcome.NoCode, 0, string.Empty));
            }

            if (FailuresSpent(request, now) is { } spent)
            {
                return ValueTask.FromResult(spent);
            }

            if (request.HoldMilliseconds > 0 && Held(request, now) is { } held)
            {
                return ValueTask.FromResult(held);
            }

            if (CountAttempt(request, now) is { } overLimit)
            {
                return ValueTask.FromResult(overLimit);
            }

            var stateKey = (request.Database, request.CodeStateKey);
            var state = _entries[stateKey];
            if (request.HoldMilliseconds > 0)
            {
                _entries[stateKey] = state with { BusyBy = attempt, BusyUntil = Expiry(now, request.HoldMilliseconds) };
            }

            CountFailure(request, now);
            return ValueTask.FromResult(new SmsCodeVerifyResult(SmsCodeVerifyOutcome.Counted, 0, state.Value ?? string.Empty));
        }
    }

    public ValueTask UseUpAsync(SmsCodeVerifyRequest request, string nonce)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            var stateKey = (request.Database, request.CodeStateKey);
            if ((TryGetLive(stateKey, now, out var state) ? state.Value ?? string.Empty : string.Empty) == nonce)
            {
                _entries.Remove((request.Database, request.CodeKey));
                _entries.Remove(stateKey);
            }

            Converted(request, now);

            var failures = (request.Database, request.FailuresPerDay.Key ?? string.Empty);
            if (request.FailuresPerDay.IsOn && TryGetLive(failures, now, out var counted))
            {
                if (counted.Count <= 1)
                {
                    _entries.Remove(failures);
                }
                else
                {
                    _entries[failures] = counted with { Count = counted.Count - 1 };
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    public ValueTask ReleaseAttemptAsync(SmsCodeVerifyRequest request, string attempt)
    {
        lock (_lock)
        {
            var stateKey = (request.Database, request.CodeStateKey);
            if (TryGetLive(stateKey, _timeProvider.GetTimestamp(), out var state) && state.BusyBy == attempt)
            {
                _entries[stateKey] = state with { BusyBy = null, BusyUntil = 0 };
            }

            return ValueTask.CompletedTask;
        }
    }

    public ValueTask<SmsCodeVerifyResult> VerifyAsync(SmsCodeVerifyRequest request, string guess)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            if (FailuresSpent(request, now) is { } spent)
            {
                return ValueTask.FromResult(spent);
            }

            if (SpentAlready(request, now) is { } spentAlready)
            {
                return ValueTask.FromResult(spentAlready);
            }

            if (Held(request, now) is { } held)
            {
                return ValueTask.FromResult(held);
            }

            if (!TryGetLive((request.Database, request.CodeKey), now, out var code))
            {
                // Nothing is written: guesses at a mobile without a code cost its owner nothing.
                return ValueTask.FromResult(new SmsCodeVerifyResult(SmsCodeVerifyOutcome.NoCode, 0, null));
            }

            if (CountAttempt(request, now) is { } overLimit)
            {
                return ValueTask.FromResult(overLimit);
            }

            if (string.Equals(code.Value, guess, StringComparison.Ordinal))
            {
                _entries.Remove((request.Database, request.CodeKey));
                _entries.Remove((request.Database, request.CodeStateKey));
                Converted(request, now);
                return ValueTask.FromResult(new SmsCodeVerifyResult(SmsCodeVerifyOutcome.Verified, 0, null));
            }

            CountFailure(request, now);
            return ValueTask.FromResult(new SmsCodeVerifyResult(SmsCodeVerifyOutcome.Wrong, 0, null));
        }
    }

    /// <summary>The code's attempts were spent before: refused like the attempt that spent them.</summary>
    private SmsCodeVerifyResult? SpentAlready(in SmsCodeVerifyRequest request, long now) =>
        TryGetLive((request.Database, request.CodeStateKey), now, out var state) && state.Spent
            ? new SmsCodeVerifyResult(SmsCodeVerifyOutcome.OverLimit, MillisecondsLeft((request.Database, request.SendFlagKey), now), null)
            : null;

    /// <summary>Another attempt holds the code: refused, uncounted, with the time left on the hold.</summary>
    private SmsCodeVerifyResult? Held(in SmsCodeVerifyRequest request, long now) =>
        TryGetLive((request.Database, request.CodeStateKey), now, out var state) && state.BusyBy is not null && state.BusyUntil > now
            ? new SmsCodeVerifyResult(SmsCodeVerifyOutcome.InFlight, Math.Max(1, (state.BusyUntil - now) * 1000 / _timeProvider.TimestampFrequency), null)
            : null;

    private SmsCodeVerifyResult? FailuresSpent(in SmsCodeVerifyRequest request, long now)
    {
        var failures = (request.Database, request.FailuresPerDay.Key ?? string.Empty);
        return request.FailuresPerDay.IsOn && TryGetLive(failures, now, out var counted) && counted.Count >= request.FailuresPerDay.Limit
            ? new SmsCodeVerifyResult(SmsCodeVerifyOutcome.FailuresPerDay, MillisecondsLeft(failures, now), null)
            : null;
    }

    /// <summary>Counts an attempt at the live code; past the limit deletes the code and answers over the limit.</summary>
    private SmsCodeVerifyResult? CountAttempt(in SmsCodeVerifyRequest request, long now)
    {
        var codeKey = (request.Database, request.CodeKey);
        var stateKey = (request.Database, request.CodeStateKey);
        var state = TryGetLive(stateKey, now, out var live)
            ? live with { Count = live.Count + 1 }
            : new Entry(null, 1, _entries[codeKey].ExpiresAt);
        _entries[stateKey] = state;
        if (request.MaxAttempts > 0 && state.Count > request.MaxAttempts)
        {
            _entries.Remove(codeKey);
            _entries[stateKey] = state with { Spent = true, BusyBy = null, BusyUntil = 0 };
            return new SmsCodeVerifyResult(SmsCodeVerifyOutcome.OverLimit, MillisecondsLeft((request.Database, request.SendFlagKey), now), null);
        }

        return null;
    }

    private void CountFailure(in SmsCodeVerifyRequest request, long now)
    {
        if (request.FailuresPerDay.IsOn)
        {
            var key = (request.Database, request.FailuresPerDay.Key!);
            Write(key, TryGetLive(key, now, out var counted) ? counted with { Count = counted.Count + 1 } : new Entry(null, 1, Expiry(now, request.FailuresPerDay.WindowMilliseconds)), now);
        }
    }
}
