using System.Collections.Concurrent;

namespace Gateway.Middleware.Diagnostics;

/// <summary>
/// Keeps a warning that every failing request would repeat (store unavailable, spend guard, provider failed) to one
/// line per reason per <see cref="Interval"/>; the next line that is written says how many were suppressed meanwhile.
/// Reasons are a small fixed set (an event and a policy name), so the table stays small.
/// </summary>
internal sealed class LogThrottle
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _timeProvider;
    private readonly long _intervalTicks;
    private readonly ConcurrentDictionary<(int EventId, string Scope), Window> _windows = new();

    public LogThrottle(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _intervalTicks = (long)(Interval.TotalSeconds * timeProvider.TimestampFrequency);
    }

    /// <summary>True when this occurrence should be logged; <paramref name="suppressed"/> is how many were not since the last.</summary>
    public bool ShouldLog(int eventId, string scope, out long suppressed)
    {
        var window = _windows.GetOrAdd((eventId, scope), static _ => new Window());
        var now = _timeProvider.GetTimestamp();
        lock (window)
        {
            if (window.Written && now < window.NextAt)
            {
                window.Suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = window.Suppressed;
            window.Suppressed = 0;
            window.Written = true;
            window.NextAt = now + _intervalTicks;
            return true;
        }
    }

    private sealed class Window
    {
        public bool Written;
        public long NextAt;
        public long Suppressed;
    }
}
