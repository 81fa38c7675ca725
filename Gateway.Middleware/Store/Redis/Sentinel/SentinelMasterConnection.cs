using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Middleware.Diagnostics;
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
/// <para>
/// The poll follows the sentinels' newest view, not the first answer: it asks every connected sentinel for the
/// master's address and config epoch and follows the highest epoch, ignoring sentinels that see the master down. For
/// a few seconds after a failover a sentinel that did not run it still names the old master, which still answers
/// <c>ROLE</c> as master until it is demoted; following that answer moved the connection back to it, and the codes
/// written there were wiped by the demotion. The connection also remembers the epoch of the master it switched to
/// and never switches to an older one, even when only a stale sentinel answers.
/// </para>
/// <para>
/// Events are heard from every sentinel, each through a multiplexer of its own: one multiplexer over all of them holds
/// its pub/sub subscription on one sentinel only (StackExchange.Redis has no per-server subscription), and with that
/// sentinel partitioned, stale or down the gate heard no event and kept writing to the old master until a poll. Each
/// sentinel publishes its own <c>+switch-master</c>, so the same one arrives several times: it is followed once; a
/// failover-progress event that names the master the gate has already switched away from (the leader's, arriving after
/// another sentinel's <c>+switch-master</c>) does not start the refusal again.
/// </para>
/// </summary>
internal sealed partial class SentinelMasterConnection : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetireDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UnavailableLogInterval = TimeSpan.FromMinutes(1);
    private static readonly string[] FailoverEvents =
    [
        "+try-failover", "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
        "+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves",
    ];

    private readonly ConfigurationOptions _masterTemplate;
    private readonly string _serviceName;
    private readonly ConfigurationOptions _sentinelOptions;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private ConnectionMultiplexer? _sentinels; // set by StartAsync
    private ConnectionMultiplexer[] _eventSources = []; // one per sentinel, for its events only
    private ITimer? _poll;
    private readonly SemaphoreSlim _switchGate = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _refreshLock = new();
    private Task _refresh = Task.CompletedTask;
    private volatile ConnectionMultiplexer? _master;
    private EndPoint? _masterEndPoint;
    private long _masterEpoch; // the config epoch of _masterEndPoint's configuration; under _switchGate
    private string? _lastRejection;
    private long _failoverUntil;
    private string? _followedSwitch; // the +switch-master being or already followed, so that its copies are not
    private volatile EndPoint? _retiredMaster; // the master last switched away from

    // Touched by the poll alone (one at a time).
    private int _failedPolls;
    private long _lastUnavailableLog;

    public SentinelMasterConnection(ConfigurationOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _serviceName = options.ServiceName ?? throw new ArgumentException("The configuration names no Sentinel service.", nameof(options));
        _timeProvider = timeProvider;
        _logger = logger;

        _sentinelOptions = options.Clone();
        _sentinelOptions.ServiceName = null;
        _sentinelOptions.CommandMap = CommandMap.Sentinel;
        _sentinelOptions.TieBreaker = string.Empty;

        _masterTemplate = options.Clone();
        _masterTemplate.ServiceName = null;
        _masterTemplate.EndPoints.Clear();
    }

    /// <summary>The current master's connection; throws (answered 503 by the store) while none is known or a failover runs.</summary>
    public IConnectionMultiplexer Current
    {
        get
        {
            if (Interlocked.Read(ref _failoverUntil) > _timeProvider.GetTimestamp())
            {
                throw new SmsCodeStoreUnavailableException($"Sentinel service '{_serviceName}' is failing over.", RedisFailure.Failover, null);
            }

            return _master ?? throw new SmsCodeStoreUnavailableException($"No master is known yet for Sentinel service '{_serviceName}'.", RedisFailure.Failover, null);
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
            if (parts.Length == 5 && parts[0] == _serviceName && ParseEndPoint(parts[3], parts[4]) is { } master
                && Interlocked.Exchange(ref _followedSwitch, text) != text)
            {
                _ = Task.Run(() => FollowSwitchEventAsync(master, text));
            }
        }
        else if (Array.IndexOf(FailoverEvents, name) >= 0 && text.Contains($" {_serviceName} ", StringComparison.Ordinal) && !NamesRetiredMaster(text))
        {
            if (Interlocked.Exchange(ref _failoverUntil, _timeProvider.GetTimestamp() + (long)(FailoverBound.TotalSeconds * _timeProvider.TimestampFrequency)) == 0)
            {
                Log.FailoverStarted(_logger, _serviceName, name);
            }
        }
        else if (name.StartsWith("-failover-abort", StringComparison.Ordinal) && text.Contains($" {_serviceName} ", StringComparison.Ordinal))
        {
            Interlocked.Exchange(ref _failoverUntil, 0);
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
        return _retiredMaster is { } retired && parts.Length >= 2 && ParseEndPoint(parts[^2], parts[^1]) is { } named
            && (named, retired) switch
            {
                (DnsEndPoint a, DnsEndPoint b) => a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase),
                var (a, b) => a.Equals(b),
            };
    }

    /// <summary>
    /// One poll: asks the sentinels for the master and switches when it moved; ends a failover the events did not end.
    /// A poll still running (a slow sentinel) is joined, not overlapped, so the returned task ends after a whole poll.
    /// Never throws. Internal so that tests can await a poll.
    /// </summary>
    internal Task RefreshAsync()
    {
        lock (_refreshLock)
        {
            if (_refresh.IsCompleted)
            {
                _refresh = PollAsync();
            }

            return _refresh;
        }
    }

    private async Task PollAsync()
    {
        try
        {
            var (views, failure) = await AskSentinelsAsync().ConfigureAwait(false);
            if (Newest(views) is not { } newest)
            {
                ReportUnavailable(failure);
            }
            else
            {
                if (_failedPolls > 0)
                {
                    Log.SentinelsAnswering(_logger, _serviceName, _failedPolls);
                    _failedPolls = 0;
                }

                await SwitchToAsync(newest.Master, newest.ConfigEpoch, fromSwitchEvent: false).ConfigureAwait(false);
            }

            if (Interlocked.Read(ref _failoverUntil) is var until && until != 0 && until <= _timeProvider.GetTimestamp())
            {
                Interlocked.CompareExchange(ref _failoverUntil, 0, until);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // RedisTimeoutException is a TimeoutException, not a RedisException: it too must not escape the poll.
            ReportUnavailable(ex.GetType().Name);
        }
        catch (Exception ex) when ((ex is OperationCanceledException or ObjectDisposedException) && _disposing.IsCancellationRequested)
        {
            // Disposed while polling.
        }
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
            var (views, _) = await AskSentinelsAsync().ConfigureAwait(false);
            foreach (var view in views)
            {
                if (view.ConfigEpoch > (epoch ?? long.MinValue) && await SameServerAsync(view.Master, master, _disposing.Token).ConfigureAwait(false))
                {
                    epoch = view.ConfigEpoch;
                }
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            return;
        }

        if (!await SwitchToAsync(master, epoch, fromSwitchEvent: true).ConfigureAwait(false))
        {
            Interlocked.CompareExchange(ref _followedSwitch, null, text);
        }
    }

    /// <summary>
    /// What every connected sentinel that sees the master up names, asked at once; when none does, why (the last
    /// failure seen).
    /// </summary>
    private async Task<(List<MasterView> Views, string Failure)> AskSentinelsAsync()
    {
        var asked = new List<Task<(MasterView? View, string? Failure)>>();
        foreach (var sentinel in _sentinels?.GetServers() ?? [])
        {
            if (sentinel.IsConnected)
            {
                asked.Add(AskAsync(sentinel));
            }
        }

        var views = new List<MasterView>();
        var failure = "none connected";
        foreach (var answer in await Task.WhenAll(asked).ConfigureAwait(false))
        {
            if (answer.View is { } view)
            {
                views.Add(view);
            }
            else
            {
                failure = answer.Failure!;
            }
        }

        return (views, failure);
    }

    /// <summary>One sentinel's view of the master: its address and config epoch; else why it gave none. Never throws.</summary>
    private async Task<(MasterView? View, string? Failure)> AskAsync(IServer sentinel)
    {
        try
        {
            // Both on one connection, in this order, so that a switch between the two replies pairs the new address with
            // the old epoch (followed a poll later at the right one), never the old address with the new epoch. The
            // address comes from GET-MASTER-ADDR-BY-NAME: SENTINEL MASTER's ip and port stay the old master's while the
            // sentinel that runs a failover reconfigures the replicas, though its config epoch is already the new one.
            var stateTask = sentinel.SentinelMasterAsync(_serviceName);
            var addressTask = sentinel.SentinelGetMasterAddressByNameAsync(_serviceName);
            await Task.WhenAll(stateTask, addressTask).ConfigureAwait(false);
            if (addressTask.Result is not { } address)
            {
                return (null, "service unknown");
            }

            string? flags = null, epoch = null;
            foreach (var (field, value) in stateTask.Result)
            {
                if (field == "flags")
                {
                    flags = value;
                }
                else if (field == "config-epoch")
                {
                    epoch = value;
                }
            }

            if (flags?.Split(',') is { } set && (Array.IndexOf(set, "s_down") >= 0 || Array.IndexOf(set, "o_down") >= 0))
            {
                return (null, "master down: " + flags);
            }

            return long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var configEpoch)
                ? (new MasterView(address, configEpoch), null)
                : (null, "no config epoch");
        }
        catch (RedisServerException ex) when (ex.Message.Contains("No such master", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "service unknown");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return (null, ex.GetType().Name);
        }
    }

    /// <summary>The view with the highest config epoch; the first asked among equals. Null when there is none.</summary>
    private static MasterView? Newest(List<MasterView> views)
    {
        MasterView? newest = null;
        foreach (var view in views)
        {
            if (newest is null || view.ConfigEpoch > newest.Value.ConfigEpoch)
            {
                newest = view;
            }
        }

        return newest;
    }

    /// <summary>Logs a poll no sentinel answered: the first of a run, then at most once per <see cref="UnavailableLogInterval"/>.</summary>
    private void ReportUnavailable(string failure)
    {
        var now = _timeProvider.GetTimestamp();
        if (_failedPolls++ == 0 || _timeProvider.GetElapsedTime(_lastUnavailableLog, now) >= UnavailableLogInterval)
        {
            _lastUnavailableLog = now;
            Log.SentinelsUnavailable(_logger, _serviceName, failure, _failedPolls, UnavailableLogInterval);
        }
    }

    /// <summary>
    /// Moves the data connection to <paramref name="master"/>, named at config epoch <paramref name="epoch"/> (null: a
    /// new one, past the current), unless it is there already or the epoch is older than the current master's; once it
    /// answers ROLE as master; while it does not (a stale sentinel, a promotion not done yet), stays put and the next
    /// poll retries. Named again at a newer epoch, the current master keeps that epoch.
    /// A switch ends the failover refusal, whether <c>+switch-master</c> or the poll saw the move (the event can be
    /// lost with its connection); <paramref name="fromSwitchEvent"/> ends it too when the connection is there already.
    /// One switch at a time. Returns whether the connection is on <paramref name="master"/> now.
    /// </summary>
    private async Task<bool> SwitchToAsync(EndPoint master, long? epoch, bool fromSwitchEvent)
    {
        try
        {
            await _switchGate.WaitAsync(_disposing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        try
        {
            if (_masterEndPoint is not null && await SameServerAsync(master, _masterEndPoint, _disposing.Token).ConfigureAwait(false))
            {
                _masterEpoch = Math.Max(_masterEpoch, epoch ?? _masterEpoch);
                if (fromSwitchEvent)
                {
                    Interlocked.Exchange(ref _failoverUntil, 0);
                }

                return true;
            }
            else if (_masterEndPoint is not null && epoch < _masterEpoch)
            {
                var rejection = string.Create(CultureInfo.InvariantCulture, $"{Describe(master)} epoch {epoch}");
                if (rejection != _lastRejection)
                {
                    _lastRejection = rejection;
                    Log.StaleConfig(_logger, _serviceName, Describe(master), epoch.Value, Describe(_masterEndPoint), _masterEpoch);
                }

                return false;
            }
            else
            {
                var newEpoch = epoch ?? _masterEpoch + 1;
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
                if (_disposing.IsCancellationRequested)
                {
                    confirmed.Dispose();
                    return false;
                }

                Log.MasterSwitched(_logger, _serviceName, Describe(master), newEpoch);
                if (previous is not null)
                {
                    _ = RetireAsync(previous);
                }

                Interlocked.Exchange(ref _failoverUntil, 0);
                return true;
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            // Disposed while comparing endpoints (a host name lookup).
            return false;
        }
        finally
        {
            _switchGate.Release();
        }
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

        var rejection = $"{Describe(master)} {answer}";
        if (rejection != _lastRejection)
        {
            _lastRejection = rejection;
            Log.CandidateNotMaster(_logger, _serviceName, Describe(master), answer);
        }

        return null;
    }

    /// <summary>The endpoint a sentinel names by <paramref name="host"/> (an address or a host name) and <paramref name="port"/>; null if neither.</summary>
    internal static EndPoint? ParseEndPoint(string host, string port)
    {
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is 0 or > IPEndPoint.MaxPort)
        {
            return null;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, number);
        }

        return Uri.CheckHostName(host) == UriHostNameType.Dns ? new DnsEndPoint(host, number) : null;
    }

    /// <summary>
    /// Whether two sentinel answers name the same server: the same address, the same host name (in any case), or a
    /// host name that resolves to the address, so that a master named both ways is not switched to again.
    /// </summary>
    internal static async Task<bool> SameServerAsync(EndPoint left, EndPoint right, CancellationToken cancellationToken)
    {
        switch (Normalize(left), Normalize(right))
        {
            case (IPEndPoint a, IPEndPoint b):
                return a.Equals(b);
            case (DnsEndPoint a, DnsEndPoint b):
                return a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);
            case (DnsEndPoint name, IPEndPoint address):
                return await ResolvesToAsync(name, address, cancellationToken).ConfigureAwait(false);
            case (IPEndPoint address, DnsEndPoint name):
                return await ResolvesToAsync(name, address, cancellationToken).ConfigureAwait(false);
            case var (a, b):
                return a.Equals(b);
        }

        static EndPoint Normalize(EndPoint endPoint) =>
            endPoint is DnsEndPoint dns && IPAddress.TryParse(dns.Host, out var address) ? new IPEndPoint(address, dns.Port) : endPoint;

        static async Task<bool> ResolvesToAsync(DnsEndPoint name, IPEndPoint address, CancellationToken cancellationToken)
        {
            if (name.Port != address.Port)
            {
                return false;
            }

            try
            {
                var addresses = await Dns.GetHostAddressesAsync(name.Host, cancellationToken).ConfigureAwait(false);
                return Array.IndexOf(addresses, address.Address) >= 0;
            }
            catch (SocketException)
            {
                // Unresolvable now: treat as another server; connecting to it will fail and be logged.
                return false;
            }
        }
    }

    private static string Describe(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port.ToString(CultureInfo.InvariantCulture)}",
        _ => endPoint.ToString() ?? "?",
    };

    private async Task RetireAsync(ConnectionMultiplexer previous)
    {
        // Calls already sent to the old master finish (or time out) before its connection closes; at once on Dispose.
        try
        {
            await Task.Delay(RetireDelay, _timeProvider, _disposing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await previous.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One sentinel's answer: the master it names and the config epoch of that configuration.</summary>
    private readonly record struct MasterView(EndPoint Master, long ConfigEpoch);
}
