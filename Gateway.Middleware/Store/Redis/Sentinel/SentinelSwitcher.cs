using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis.Sentinel;

/// <summary>
/// Holds the data connection to the current master and moves it: to a master the sentinels name at a config epoch not
/// older than the current one's, once it answers <c>ROLE</c> as master. Ends the failover refusal on a switch. The
/// master it switched away from is remembered, so that late failover events naming it are told apart.
/// </summary>
internal sealed class SentinelSwitcher : IDisposable
{
    private static readonly TimeSpan RetireDelay = TimeSpan.FromSeconds(10);

    private readonly string _serviceName;
    private readonly ConfigurationOptions _masterTemplate;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly SemaphoreSlim _switchGate = new(1, 1);
    private volatile ConnectionMultiplexer? _master;
    private EndPoint? _masterEndPoint;
    private long _masterEpoch; // the config epoch of _masterEndPoint's configuration; under _switchGate
    private string? _lastRejection;
    private string? _followedSwitch; // the +switch-master being or already followed, so that its copies are not
    private volatile EndPoint? _retiredMaster; // the master last switched away from

    /// <summary>A switcher whose connections are made like <paramref name="masterTemplate"/> (its endpoints ignored); <paramref name="stopping"/> ends it.</summary>
    public SentinelSwitcher(string serviceName, ConfigurationOptions masterTemplate, SentinelFailoverRefusal failover, TimeProvider timeProvider, ILogger logger, CancellationToken stopping)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentNullException.ThrowIfNull(masterTemplate);
        ArgumentNullException.ThrowIfNull(failover);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _serviceName = serviceName;
        _masterTemplate = masterTemplate.Clone();
        _masterTemplate.ServiceName = null;
        _masterTemplate.EndPoints.Clear();
        Failover = failover;
        _timeProvider = timeProvider;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>The refusal while the sentinels fail over.</summary>
    public SentinelFailoverRefusal Failover { get; }

    /// <summary>The current master's connection; throws (answered 503 by the store) while none is known or a failover runs.</summary>
    public IConnectionMultiplexer Current
    {
        get
        {
            if (Failover.IsOn)
            {
                throw new SmsCodeStoreUnavailableException($"Sentinel service '{_serviceName}' is failing over.", SentinelFailoverRefusal.ErrorType, null);
            }

            return _master ?? throw new SmsCodeStoreUnavailableException($"No master is known yet for Sentinel service '{_serviceName}'.", SentinelFailoverRefusal.ErrorType, null);
        }
    }

    /// <summary>The master last switched away from, or null.</summary>
    public EndPoint? RetiredMaster => _retiredMaster;

    /// <summary>Marks <paramref name="switchEvent"/> (a <c>+switch-master</c> text) as followed; false when it already is (a copy from another sentinel).</summary>
    public bool TryFollow(string switchEvent) => Interlocked.Exchange(ref _followedSwitch, switchEvent) != switchEvent;

    /// <summary>Lets a copy of <paramref name="switchEvent"/> be followed again: following it did not end on its master.</summary>
    public void Unfollow(string switchEvent) => Interlocked.CompareExchange(ref _followedSwitch, null, switchEvent);

    /// <summary>
    /// Moves the data connection to <paramref name="master"/>, named at config epoch <paramref name="epoch"/> (null: a
    /// new one, past the current), unless it is there already or the epoch is older than the current master's; once it
    /// answers ROLE as master; while it does not (a stale sentinel, a promotion not done yet), stays put and the next
    /// poll retries. Named again at a newer epoch, the current master keeps that epoch.
    /// A switch ends the failover refusal, whether <c>+switch-master</c> or the poll saw the move (the event can be
    /// lost with its connection); <paramref name="fromSwitchEvent"/> ends it too when the connection is there already.
    /// One switch at a time. Returns whether the connection is on <paramref name="master"/> now.
    /// </summary>
    public async Task<bool> SwitchToAsync(EndPoint master, long? epoch, bool fromSwitchEvent)
    {
        try
        {
            await _switchGate.WaitAsync(_stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        try
        {
            if (_masterEndPoint is not null && await SentinelEndPoints.SameServerAsync(master, _masterEndPoint, _stopping).ConfigureAwait(false))
            {
                _masterEpoch = Math.Max(_masterEpoch, epoch ?? _masterEpoch);
                if (fromSwitchEvent)
                {
                    Failover.End();
                }

                return true;
            }
            else if (_masterEndPoint is not null && epoch < _masterEpoch)
            {
                var rejection = string.Create(CultureInfo.InvariantCulture, $"{SentinelEndPoints.Describe(master)} epoch {epoch}");
                if (rejection != _lastRejection)
                {
                    _lastRejection = rejection;
                    SentinelLog.StaleConfig(_logger, _serviceName, SentinelEndPoints.Describe(master), epoch.Value, SentinelEndPoints.Describe(_masterEndPoint), _masterEpoch);
                }

                return false;
            }
            else
            {
                return await SwitchAsync(master, epoch ?? _masterEpoch + 1, fromSwitchEvent).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed while comparing endpoints (a host name lookup).
            return false;
        }
        finally
        {
            _switchGate.Release();
        }
    }

    public void Dispose() => _master?.Dispose();

    /// <summary>The switch itself, under the switch gate: connects, confirms, swaps, retires the old connection.</summary>
    private async Task<bool> SwitchAsync(EndPoint master, long newEpoch, bool fromSwitchEvent)
    {
        var confirmed = await ConnectIfMasterAsync(master).ConfigureAwait(false);
        if (confirmed is null)
        {
            return false;
        }

        var previous = _master;
        if (_masterEndPoint is not null)
        {
            _retiredMaster = _masterEndPoint;
        }

        if (!fromSwitchEvent)
        {
            // A later +switch-master naming the same move (a failback after a missed one) is followed again.
            Interlocked.Exchange(ref _followedSwitch, null);
        }

        _master = confirmed;
        _masterEndPoint = master;
        _masterEpoch = newEpoch;
        _lastRejection = null;
        if (_stopping.IsCancellationRequested)
        {
            confirmed.Dispose();
            return false;
        }

        SentinelLog.MasterSwitched(_logger, _serviceName, SentinelEndPoints.Describe(master), newEpoch);
        if (previous is not null)
        {
            _ = RetireAsync(previous);
        }

        Failover.End();
        return true;
    }

    /// <summary>A connection to <paramref name="master"/> if it answers ROLE as master, else null (logged once per answer).</summary>
    private async Task<ConnectionMultiplexer?> ConnectIfMasterAsync(EndPoint master)
    {
        var options = _masterTemplate.Clone();
        options.EndPoints.Add(master);
        ConnectionMultiplexer? connection = null;
        string answer;
        try
        {
            connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            var server = connection.GetServer(master);
            var role = await server.RoleAsync().ConfigureAwait(false);

            // The library decided at connect time whether the node is a replica; one promoted just after that would
            // still refuse writes on this connection, so it must agree too.
            if (role is Role.Master && !server.IsReplica)
            {
                return connection;
            }

            answer = role is Role.Master ? "master, connected as replica" : role.Value;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            answer = ex.GetType().Name;
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        var rejection = $"{SentinelEndPoints.Describe(master)} {answer}";
        if (rejection != _lastRejection)
        {
            _lastRejection = rejection;
            SentinelLog.CandidateNotMaster(_logger, _serviceName, SentinelEndPoints.Describe(master), answer);
        }

        return null;
    }

    private async Task RetireAsync(ConnectionMultiplexer previous)
    {
        // Calls already sent to the old master finish (or time out) before its connection closes; at once on Dispose.
        try
        {
            await Task.Delay(RetireDelay, _timeProvider, _stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await previous.DisposeAsync().ConfigureAwait(false);
    }
}
