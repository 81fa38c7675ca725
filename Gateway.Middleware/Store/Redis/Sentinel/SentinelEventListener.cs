using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis.Sentinel;

/// <summary>
/// Listens to every sentinel's events, each through a multiplexer of its own: one multiplexer over all of them holds
/// its pub/sub subscription on one sentinel only (StackExchange.Redis has no per-server subscription), and with that
/// sentinel partitioned, stale or down the gate heard no event and kept writing to the old master until a poll.
/// A failover-progress event starts the refusal, <c>-failover-abort-*</c> ends it, and <c>+switch-master</c> is
/// followed (in the background, never on the library's thread). Each sentinel publishes its own <c>+switch-master</c>,
/// so the same one arrives several times: it is followed once. A failover-progress event that names the master the
/// gate has already switched away from (the leader's, arriving after another sentinel's <c>+switch-master</c>) does
/// not start the refusal again.
/// </summary>
internal sealed class SentinelEventListener : IDisposable
{
    private static readonly string[] FailoverEvents =
    [
        "+try-failover", "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
        "+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves",
    ];

    private readonly string _serviceName;
    private readonly SentinelSwitcher _switcher;
    private readonly SentinelQuery _query;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly Lock _lock = new();
    private ConnectionMultiplexer[] _sources = []; // one per sentinel, for its events only
    private bool _disposed;

    public SentinelEventListener(string serviceName, SentinelSwitcher switcher, SentinelQuery query, ILogger logger, CancellationToken stopping)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentNullException.ThrowIfNull(switcher);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(logger);
        _serviceName = serviceName;
        _switcher = switcher;
        _query = query;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>
    /// A multiplexer per sentinel in <paramref name="sentinelOptions"/>, subscribed to all its events. A sentinel not
    /// reachable now is subscribed to when its multiplexer connects (the library restores subscriptions on connect).
    /// </summary>
    public async Task StartAsync(ConfigurationOptions sentinelOptions)
    {
        ArgumentNullException.ThrowIfNull(sentinelOptions);
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

        lock (_lock)
        {
            if (!_disposed)
            {
                _sources = sources;
                return;
            }
        }

        DisposeAll(sources);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            DisposeAll(_sources);
        }
    }

    private static void DisposeAll(ConnectionMultiplexer[] sources)
    {
        foreach (var source in sources)
        {
            source.Dispose();
        }
    }

    private void OnSentinelEvent(RedisChannel channel, RedisValue message)
    {
        var name = channel.ToString();
        var text = message.ToString();
        if (name == "+switch-master")
        {
            // "<service> <old host> <old port> <new host> <new port>"; a host is an address, or a name when the sentinels
            // announce host names (sentinel announce-hostnames yes).
            var parts = text.Split(' ');
            if (parts.Length == 5 && parts[0] == _serviceName && SentinelEndPoints.Parse(parts[3], parts[4]) is { } master
                && _switcher.TryFollow(text))
            {
                _ = Task.Run(() => FollowSwitchEventAsync(master, text));
            }
        }
        else if (Array.IndexOf(FailoverEvents, name) >= 0 && text.Contains($" {_serviceName} ", StringComparison.Ordinal) && !NamesRetiredMaster(text))
        {
            if (_switcher.Failover.Begin())
            {
                SentinelLog.FailoverStarted(_logger, _serviceName, name);
            }
        }
        else if (name.StartsWith("-failover-abort", StringComparison.Ordinal) && text.Contains($" {_serviceName} ", StringComparison.Ordinal))
        {
            _switcher.Failover.End();
        }
    }

    /// <summary>
    /// Whether a failover event names, as the master being failed over (its last two fields, in both
    /// <c>master &lt;name&gt; &lt;host&gt; &lt;port&gt;</c> and <c>... @ &lt;name&gt; &lt;host&gt; &lt;port&gt;</c>), the master the gate
    /// has already switched away from: a late event of a failover already followed.
    /// </summary>
    private bool NamesRetiredMaster(string text)
    {
        var parts = text.Split(' ');
        return _switcher.RetiredMaster is { } retired && parts.Length >= 2 && SentinelEndPoints.Parse(parts[^2], parts[^1]) is { } named
            && SentinelEndPoints.SameSpelling(named, retired);
    }

    /// <summary>
    /// After <c>+switch-master</c> naming <paramref name="master"/>: switches to it at the config epoch the sentinels now
    /// report for it (the one that sent the event among them), or, when none names it yet, at one more than the
    /// current epoch, since the event means a newer configuration; a stale answer at the old epoch cannot undo it.
    /// When it does not end there, a copy of <paramref name="text"/> from another sentinel is followed again.
    /// </summary>
    private async Task FollowSwitchEventAsync(EndPoint master, string text)
    {
        long? epoch = null;
        try
        {
            var (views, _) = await _query.AskSentinelsAsync().ConfigureAwait(false);
            foreach (var view in views)
            {
                if (view.ConfigEpoch > (epoch ?? long.MinValue) && await SentinelEndPoints.SameServerAsync(view.Master, master, _stopping).ConfigureAwait(false))
                {
                    epoch = view.ConfigEpoch;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }

        if (!await _switcher.SwitchToAsync(master, epoch, fromSwitchEvent: true).ConfigureAwait(false))
        {
            _switcher.Unfollow(text);
        }
    }
}
