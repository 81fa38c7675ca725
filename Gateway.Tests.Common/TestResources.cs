namespace Gateway.Tests.Common;

/// <summary>A process a test can pause (SIGSTOP); resumed before anything is disposed, so that nothing waits on it.</summary>
public interface IPausable
{
    /// <summary>Sends SIGCONT to whatever of it is paused; does nothing when none is.</summary>
    Task ResumeIfPausedAsync();
}

/// <summary>
/// What a test started (servers, hosts), disposed in reverse order when the test ends. First every paused process is
/// resumed (a test that failed may have left one stopped): a host disposed while its Redis is stopped would wait on it. Every resource is disposed even when one fails; the failures are thrown after.
/// </summary>
public sealed class TestResources : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _resources = [];
    private readonly List<IPausable> _pausable = [];

    public T Add<T>(T resource)
        where T : IAsyncDisposable
    {
        _resources.Add(resource);
        if (resource is IPausable pausable)
        {
            _pausable.Add(pausable);
        }

        return resource;
    }

    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        foreach (var pausable in _pausable)
        {
            try
            {
                await pausable.ResumeIfPausedAsync();
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }

        for (var i = _resources.Count - 1; i >= 0; i--)
        {
            try
            {
                await _resources[i].DisposeAsync();
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }

        _resources.Clear();
        _pausable.Clear();
        if (failures.Count > 0)
        {
            throw new AggregateException("Disposing the test's resources failed.", failures);
        }
    }
}
