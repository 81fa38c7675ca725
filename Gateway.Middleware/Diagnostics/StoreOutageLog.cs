using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Diagnostics;

/// <summary>
/// What an operator reads of a store outage: readiness failures, at most one line per <see cref="LogThrottle.Interval"/>
/// with the number of probes not logged (a <c>/readyz</c> probe every second would otherwise write a line each), and,
/// once the store answers again after a failure was logged, one line saying so and how long it was away.
/// </summary>
internal sealed partial class StoreOutageLog
{
    private readonly LogThrottle _throttle;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<StoreOutageLog> _logger;
    private long _failingSince;

    public StoreOutageLog(LogThrottle throttle, TimeProvider timeProvider, ILogger<StoreOutageLog> logger)
    {
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _throttle = throttle;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// A readiness probe found the gate unable to serve, for <paramref name="reason"/>; <paramref name="storeFailed"/>
    /// when the store itself failed (not a policy that cannot run on it), so that its return is logged.
    /// </summary>
    public void NotReady(string check, string reason, bool storeFailed)
    {
        if (_throttle.ShouldLog(EventIds.StoreNotReady, check, out var suppressed))
        {
            Log.StoreNotReady(_logger, check, reason, suppressed);
        }

        if (storeFailed)
        {
            FailureLogged();
        }
    }

    /// <summary>A failure of the store was reported (logged, or counted as suppressed by the throttle).</summary>
    public void FailureLogged()
    {
        var now = Math.Max(1, _timeProvider.GetTimestamp());
        Interlocked.CompareExchange(ref _failingSince, now, 0);
    }

    /// <summary>The store answered after failing: logged once when a failure was reported since the last time.</summary>
    public void StoreAnswered()
    {
        if (Volatile.Read(ref _failingSince) == 0)
        {
            return;
        }

        var since = Interlocked.Exchange(ref _failingSince, 0);
        if (since != 0)
        {
            var away = _timeProvider.GetElapsedTime(since);
            Log.StoreAnswersAgain(_logger, Math.Round(away.TotalSeconds, 1));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.StoreNotReady, LogLevel.Warning, "Not ready ({Check}): {Reason} {Suppressed} more such probes since the last such line.", EventName = nameof(EventIds.StoreNotReady))]
        public static partial void StoreNotReady(ILogger logger, string check, string reason, long suppressed);

        [LoggerMessage(EventIds.StoreAnswersAgain, LogLevel.Information, "The SMS code store answers again, {Seconds} s after the first failure logged: the gate sends and verifies codes again.", EventName = nameof(EventIds.StoreAnswersAgain))]
        public static partial void StoreAnswersAgain(ILogger logger, double seconds);
    }
}
