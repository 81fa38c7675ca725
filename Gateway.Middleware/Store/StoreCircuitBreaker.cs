namespace Gateway.Middleware.Store;

/// <summary>
/// Remembers that the store failed recently, so that during an outage requests are refused at once instead of
/// each waiting out the store timeout. It closes by itself after the break duration or on the next success.
/// </summary>
internal sealed class StoreCircuitBreaker
{
    private readonly TimeProvider _timeProvider;
    private readonly long _breakTicks;
    private long _openUntil;

    public StoreCircuitBreaker(TimeProvider timeProvider, TimeSpan breakDuration)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
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
    }
}
