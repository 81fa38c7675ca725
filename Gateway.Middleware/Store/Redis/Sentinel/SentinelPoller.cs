using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis.Sentinel;

/// <summary>
/// Polls the sentinels every second, in case an event was missed: follows the newest view among them (the highest
/// config epoch, ignoring sentinels that see the master down), not the first answer, and ends a failover refusal the
/// events did not end once its bound has passed. For a few seconds after a failover a sentinel that did not run it
/// still names the old master, which still answers <c>ROLE</c> as master until it is demoted; following that answer
/// moved the connection back to it, and the codes written there were wiped by the demotion.
/// </summary>
internal sealed class SentinelPoller : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan UnavailableLogInterval = TimeSpan.FromMinutes(1);

    private readonly string _serviceName;
    private readonly SentinelQuery _query;
    private readonly SentinelSwitcher _switcher;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly Lock _lock = new();
    private Task _refresh = Task.CompletedTask;
    private ITimer? _timer;
    private bool _disposed;

    // Touched by the poll alone (one at a time).
    private int _failedPolls;
    private long _lastUnavailableLog;

    public SentinelPoller(string serviceName, SentinelQuery query, SentinelSwitcher switcher, TimeProvider timeProvider, ILogger logger, CancellationToken stopping)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(switcher);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _serviceName = serviceName;
        _query = query;
        _switcher = switcher;
        _timeProvider = timeProvider;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>Polls every second from now on (on the <see cref="TimeProvider"/>'s timer).</summary>
    public void Start()
    {
        var timer = _timeProvider.CreateTimer(static state => _ = ((SentinelPoller)state!).RefreshAsync(), this, PollInterval, PollInterval);
        lock (_lock)
        {
            if (!_disposed)
            {
                _timer = timer;
                return;
            }
        }

        timer.Dispose();
    }

    /// <summary>
    /// One poll: asks the sentinels for the master and switches when it moved; ends a failover the events did not end.
    /// A poll still running (a slow sentinel) is joined, not overlapped, so the returned task ends after a whole poll.
    /// Never throws.
    /// </summary>
    public Task RefreshAsync()
    {
        lock (_lock)
        {
            if (_refresh.IsCompleted)
            {
                _refresh = PollAsync();
            }

            return _refresh;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }

    private async Task PollAsync()
    {
        try
        {
            var (views, failure) = await _query.AskSentinelsAsync().ConfigureAwait(false);
            if (SentinelQuery.Newest(views) is not { } newest)
            {
                ReportUnavailable(failure);
            }
            else
            {
                if (_failedPolls > 0)
                {
                    SentinelLog.SentinelsAnswering(_logger, _serviceName, _failedPolls);
                    _failedPolls = 0;
                }

                await _switcher.SwitchToAsync(newest.Master, newest.ConfigEpoch, fromSwitchEvent: false).ConfigureAwait(false);
            }

            _switcher.Failover.EndIfExpired();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // RedisTimeoutException is a TimeoutException, not a RedisException: it too must not escape the poll.
            ReportUnavailable(ex.GetType().Name);
        }
        catch (Exception ex) when ((ex is OperationCanceledException or ObjectDisposedException) && _stopping.IsCancellationRequested)
        {
            // Disposed while polling.
        }
    }

    /// <summary>Logs a poll no sentinel answered: the first of a run, then at most once per <see cref="UnavailableLogInterval"/>.</summary>
    private void ReportUnavailable(string failure)
    {
        var now = _timeProvider.GetTimestamp();
        if (_failedPolls++ == 0 || _timeProvider.GetElapsedTime(_lastUnavailableLog, now) >= UnavailableLogInterval)
        {
            _lastUnavailableLog = now;
            SentinelLog.SentinelsUnavailable(_logger, _serviceName, failure, _failedPolls, UnavailableLogInterval);
        }
    }
}
