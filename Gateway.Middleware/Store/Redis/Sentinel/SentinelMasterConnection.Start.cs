using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis.Sentinel;

/// <summary>The Sentinel connection's start, in the background (nothing waits for it), and its end.</summary>
internal sealed partial class SentinelMasterConnection
{
    /// <summary>
    /// Connects to the sentinels, subscribes to their events, asks them for the master once, then polls every second.
    /// Until the first answer names a master, <see cref="Current"/> refuses. Nothing here blocks a thread; the host does
    /// not wait for it (see <see cref="RedisConnection"/>). Called once.
    /// </summary>
    public async Task StartAsync()
    {
        var sentinels = await ConnectionMultiplexer.ConnectAsync(_sentinelOptions).ConfigureAwait(false);
        var sources = await SubscribeToEveryAsync(_sentinelOptions).ConfigureAwait(false);
        lock (_refreshLock)
        {
            (_sentinels, _eventSources) = (sentinels, sources);
        }

        if (_disposing.IsCancellationRequested)
        {
            DisposeConnections();
            return;
        }

        await RefreshAsync().ConfigureAwait(false);
        var poll = _timeProvider.CreateTimer(static state => _ = ((SentinelMasterConnection)state!).RefreshAsync(), this, PollInterval, PollInterval);
        lock (_refreshLock)
        {
            _poll = poll;
        }

        if (_disposing.IsCancellationRequested)
        {
            poll.Dispose();
        }
    }

    public void Dispose()
    {
        _disposing.Cancel();
        DisposeConnections();
        _master?.Dispose();
    }

    private void DisposeConnections()
    {
        lock (_refreshLock)
        {
            _poll?.Dispose();
            _sentinels?.Dispose();
            foreach (var source in _eventSources)
            {
                source.Dispose();
            }
        }
    }

    /// <summary>
    /// A multiplexer per sentinel in <paramref name="sentinelOptions"/>, subscribed to all its events. A sentinel not
    /// reachable now is subscribed to when its multiplexer connects (the library restores subscriptions on connect).
    /// </summary>
    private async Task<ConnectionMultiplexer[]> SubscribeToEveryAsync(ConfigurationOptions sentinelOptions)
    {
        var connecting = new List<Task<ConnectionMultiplexer>>();
        foreach (var endPoint in sentinelOptions.EndPoints)
        {
            var options = sentinelOptions.Clone();
            options.EndPoints.Clear();
            options.EndPoints.Add(endPoint);
            connecting.Add(ConnectionMultiplexer.ConnectAsync(options));
        }

        var sources = await Task.WhenAll(connecting).ConfigureAwait(false);
        foreach (var source in sources)
        {
            try
            {
                await source.GetSubscriber().SubscribeAsync(RedisChannel.Pattern("*"), OnSentinelEvent).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Not connected yet: the subscription is kept and sent once it is.
            }
        }

        return sources;
    }
}
