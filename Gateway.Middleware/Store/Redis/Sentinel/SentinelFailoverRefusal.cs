namespace Gateway.Middleware.Store.Redis.Sentinel;

/// <summary>
/// The refusal while the sentinels fail the master over: from their first failover event until the switch, at most
/// <see cref="Bound"/> (the deployment's <c>failover-timeout</c>) after the last event seen.
/// </summary>
internal sealed class SentinelFailoverRefusal
{
    /// <summary>The kind of the store failure while refusing (and while no master is known), as the metrics count it.</summary>
    public const string ErrorType = "failover";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TimeProvider _timeProvider;
    private long _until;

    public SentinelFailoverRefusal(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>Whether store calls are refused now.</summary>
    public bool IsOn => Interlocked.Read(ref _until) > _timeProvider.GetTimestamp();

    /// <summary>Refuses (again) for <see cref="Bound"/> from now; true when it was not refusing before.</summary>
    public bool Begin() =>
        Interlocked.Exchange(ref _until, _timeProvider.GetTimestamp() + (long)(Bound.TotalSeconds * _timeProvider.TimestampFrequency)) == 0;

    /// <summary>Ends the refusal: the switch happened, or the failover was aborted.</summary>
    public void End() => Interlocked.Exchange(ref _until, 0);

    /// <summary>Ends a refusal whose bound has passed without an event ending it.</summary>
    public void EndIfExpired()
    {
        if (Interlocked.Read(ref _until) is var until && until != 0 && until <= _timeProvider.GetTimestamp())
        {
            Interlocked.CompareExchange(ref _until, 0, until);
        }
    }
}
