using Gateway.Middleware.Diagnostics;

namespace Gateway.Middleware.Store;

/// <summary>
/// Remembers that the store failed recently, so that during an outage requests are refused at once instead of
/// each waiting out the store timeout. It closes by itself after the break duration or on the next success.
/// </summary>
internal sealed class StoreCircuitBreaker
{
    private readonly TimeProvider _timeProvider;
    private readonly long _breakTicks;
    private readonly StoreOutageLog? _outageLog;
    private long _openUntil;

    /// <summary>A breaker that stays open <paramref name="breakDuration"/> after a failure; <paramref name="outageLog"/>, when given, is told of every success, so that the store's return after an outage is logged once.</summary>
    public StoreCircuitBreaker(TimeProvider timeProvider, TimeSpan breakDuration, StoreOutageLog? outageLog = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _outageLog = outageLog;
        _breakTicks = (long)(breakDuration.TotalSeconds * timeProvider.TimestampFrequency);
    }

    public bool IsOpen
    {
        get
        {
            var openUntil = Volatile.Read(ref _openUntil);
            return openUntil != 0 && _timeProvider.GetTimestamp() < openUntil;
        }
    }

    public void RecordFailure() => Volatile.Write(ref _openUntil, _timeProvider.GetTimestamp() + _breakTicks);

    public void RecordSuccess()
    {
        if (Volatile.Read(ref _openUntil) != 0)
        {
            Volatile.Write(ref _openUntil, 0);
        }

        _outageLog?.StoreAnswered();
    }
}
