using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis.Sentinel;

/// <summary>
/// A connection to the master that Redis Sentinel names, switched by the gate itself. StackExchange.Redis's own
/// sentinel mode keeps the replicas as endpoints and kept writing to the old master after a failover (seen in
/// the failover tests: codes answered 200 were wiped when the old master was demoted). Here the data connection
/// only ever holds the current master; while the sentinels report a failover in progress the store is refused
/// (503) instead of writing to a master that is being replaced; <c>+switch-master</c> (and a poll every second,
/// in case an event is missed) moves it to the new master, once that answers <c>ROLE</c> as master, and ends the
/// refusal. Sentinels may name nodes by address or by host name.
/// </summary>
/// <remarks>
/// Made of parts, each one concern, that talk only through awaited tasks: <see cref="SentinelEventListener"/> (the
/// subscriptions), <see cref="SentinelPoller"/> (the poll), <see cref="SentinelSwitcher"/> (epoch arbitration and
/// switching), with <see cref="SentinelQuery"/> (asking the sentinels) and <see cref="SentinelEndPoints"/> (endpoint
/// identity). The switcher remembers the epoch of the master it switched to and never switches to an older one, even
/// when only a stale sentinel answers.
/// </remarks>
internal sealed class SentinelMasterConnection : IDisposable
{
    private readonly ConfigurationOptions _sentinelOptions;
    private readonly CancellationTokenSource _disposing = new();
    private readonly SentinelQuery _query;
    private readonly SentinelSwitcher _switcher;
    private readonly SentinelEventListener _listener;
    private readonly SentinelPoller _poller;

    /// <summary>Makes the parts; connects nothing (see <see cref="StartAsync"/>).</summary>
    public SentinelMasterConnection(ConfigurationOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var serviceName = options.ServiceName ?? throw new ArgumentException("The configuration names no Sentinel service.", nameof(options));

        _sentinelOptions = options.Clone();
        _sentinelOptions.ServiceName = null;
        _sentinelOptions.CommandMap = CommandMap.Sentinel;
        _sentinelOptions.TieBreaker = string.Empty;

        var stopping = _disposing.Token;
        _query = new SentinelQuery(serviceName);
        _switcher = new SentinelSwitcher(serviceName, options, new SentinelFailoverRefusal(timeProvider), timeProvider, logger, stopping);
        _listener = new SentinelEventListener(serviceName, _switcher, _query, logger, stopping);
        _poller = new SentinelPoller(serviceName, _query, _switcher, timeProvider, logger, stopping);
    }

    /// <summary>The current master's connection; throws (answered 503 by the store) while none is known or a failover runs.</summary>
    public IConnectionMultiplexer Current => _switcher.Current;

    /// <summary>
    /// Connects to the sentinels, subscribes to their events, asks them for the master once, then polls every second.
    /// Until the first answer names a master, <see cref="Current"/> refuses. Nothing here blocks a thread; nothing
    /// waits for it at start-up. Called once.
    /// </summary>
    public async Task StartAsync()
    {
        await _query.StartAsync(_sentinelOptions).ConfigureAwait(false);
        await _listener.StartAsync(_sentinelOptions).ConfigureAwait(false);
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        await _poller.RefreshAsync().ConfigureAwait(false);
        _poller.Start();
    }

    /// <summary>One poll, as the timer runs it; internal so that tests can await a poll (see <see cref="SentinelPoller.RefreshAsync"/>).</summary>
    internal Task RefreshAsync() => _poller.RefreshAsync();

    public void Dispose()
    {
        _disposing.Cancel();
        _poller.Dispose();
        _listener.Dispose();
        _query.Dispose();
        _switcher.Dispose();
    }
}
