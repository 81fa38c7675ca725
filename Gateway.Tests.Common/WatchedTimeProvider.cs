using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Common;

/// <summary>
/// A fake clock that tells when the code under test starts waiting on it: <see cref="NextTimerAsync"/> completes when
/// a timer of a given due time is next created (a <c>WaitAsync(timeout, timeProvider)</c>, say), so that a test
/// advances the clock once something waits on it, not after a guess.
/// </summary>
public sealed class WatchedTimeProvider : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<(TimeSpan DueTime, TaskCompletionSource Created)> _waiting = [];

    /// <summary>Completes when the next timer due <paramref name="dueTime"/> from its creation is created.</summary>
    public Task NextTimerAsync(TimeSpan dueTime)
    {
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _waiting.Add((dueTime, created));
        }

        return created.Task;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_lock)
        {
            foreach (var waiting in _waiting.Where(waiting => waiting.DueTime == dueTime).ToList())
            {
                waiting.Created.TrySetResult();
                _waiting.Remove(waiting);
            }
        }

        return timer;
    }
}
