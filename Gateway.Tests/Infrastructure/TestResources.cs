namespace Gateway.Tests.Infrastructure;

/// <summary>What a test started (servers, hosts), disposed in reverse order when the test ends.</summary>
public sealed class TestResources : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _resources = [];

    public T Add<T>(T resource)
        where T : IAsyncDisposable
    {
        _resources.Add(resource);
        return resource;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _resources.Count - 1; i >= 0; i--)
        {
            await _resources[i].DisposeAsync();
        }

        _resources.Clear();
    }
}
