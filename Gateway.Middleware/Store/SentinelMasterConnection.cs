using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store;

/// <summary>
/// A connection to the master that Redis Sentinel names, switched by the gate itself. StackExchange.Redis's own
/// sentinel mode keeps the replicas as endpoints and kept writing to the old master after a failover (seen in
/// the failover tests: codes answered 200 were wiped when the old master was demoted). Here the data connection
/// only ever holds the current master; while the sentinels report a failover in progress the store is refused
/// (503) instead of writing to a master that is being replaced; <c>+switch-master</c> (and a poll every second,
/// in case an event is missed) moves it to the new master, once that answers <c>ROLE</c> as master, and ends the
/// refusal. Sentinels may name nodes by address or by host name.
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
    private readonly ConnectionMultiplexer _sentinels;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ITimer _poll;
    private readonly SemaphoreSlim _switchGate = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _refreshLock = new();
    private Task _refresh = Task.CompletedTask;
    private volatile ConnectionMultiplexer? _master;
    private EndPoint? _masterEndPoint;
    private string? _lastRejection;
    private long _failoverUntil;

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

        var sentinelOptions = options.Clone();
        sentinelOptions.ServiceName = null;
        sentinelOptions.CommandMap = CommandMap.Sentinel;
        sentinelOptions.TieBreaker = string.Empty;
        _sentinels = ConnectionMultiplexer.Connect(sentinelOptions);

        _masterTemplate = options.Clone();
        _masterTemplate.ServiceName = null;
        _masterTemplate.EndPoints.Clear();

        _sentinels.GetSubscriber().Subscribe(RedisChannel.Pattern("*"), OnSentinelEvent);

        // The first answer is awaited here (the connection is opened on the first store call, which should find the
        // master); later polls run on the timer without blocking it.
        RefreshAsync().GetAwaiter().GetResult();
        _poll = timeProvider.CreateTimer(static state => _ = ((SentinelMasterConnection)state!).RefreshAsync(), this, PollInterval, PollInterval);
    }

    /// <summary>The current master's connection; throws (answered 503 by the store) while none is known or a failover runs.</summary>
    public IConnectionMultiplexer Current
    {
        get
        {
            if (Interlocked.Read(ref _failoverUntil) > _timeProvider.GetTimestamp())
            {
                throw new SmsCodeStoreUnavailableException($"Sentinel service '{_serviceName}' is failing over.");
            }

            return _master ?? throw new SmsCodeStoreUnavailableException($"No master is known yet for Sentinel service '{_serviceName}'.");
        }
    }

    public void Dispose()
    {
        _disposing.Cancel();
        _poll.Dispose();
        _sentinels.Dispose();
        _master?.Dispose();
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
            if (parts.Length == 5 && parts[0] == _serviceName && ParseEndPoint(parts[3], parts[4]) is { } master)
            {
                _ = Task.Run(() => SwitchToAsync(master, fromSwitchEvent: true));
            }
        }
        else if (Array.IndexOf(FailoverEvents, name) >= 0 && text.Contains($" {_serviceName} ", StringComparison.Ordinal))
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
            var (master, failure) = await ResolveMasterAsync().ConfigureAwait(false);
            if (master is null)
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

                await SwitchToAsync(master, fromSwitchEvent: false).ConfigureAwait(false);
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

    /// <summary>The master the first sentinel that knows it names, asking each connected one in turn; else why none did.</summary>
    private async Task<(EndPoint? Master, string Failure)> ResolveMasterAsync()
    {
        var failure = "none connected";
        foreach (var sentinel in _sentinels.GetServers())
        {
            if (!sentinel.IsConnected)
            {
                continue;
            }

            try
            {
                if (await sentinel.SentinelGetMasterAddressByNameAsync(_serviceName).ConfigureAwait(false) is { } master)
                {
                    return (master, failure);
                }

                failure = "service unknown";
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                failure = ex.GetType().Name;
            }
        }

        return (null, failure);
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
    /// Moves the data connection to <paramref name="master"/> unless it is there already, once it answers ROLE as
    /// master; while it does not (a stale sentinel, a promotion not done yet), stays put and the next poll retries.
    /// A switch ends the failover refusal, whether <c>+switch-master</c> or the poll saw the move (the event can be
    /// lost with its connection); <paramref name="fromSwitchEvent"/> ends it too when the connection is there already.
    /// One switch at a time.
    /// </summary>
    private async Task SwitchToAsync(EndPoint master, bool fromSwitchEvent)
    {
        try
        {
            await _switchGate.WaitAsync(_disposing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            if (_masterEndPoint is null || !await SameServerAsync(master, _masterEndPoint, _disposing.Token).ConfigureAwait(false))
            {
                var confirmed = await ConnectIfMasterAsync(master).ConfigureAwait(false);
                if (confirmed is null)
                {
                    return;
                }

                var previous = _master;
                _master = confirmed;
                _masterEndPoint = master;
                _lastRejection = null;
                if (_disposing.IsCancellationRequested)
                {
                    confirmed.Dispose();
                    return;
                }

                Log.MasterSwitched(_logger, _serviceName, Describe(master));
                if (previous is not null)
                {
                    _ = RetireAsync(previous);
                }

                Interlocked.Exchange(ref _failoverUntil, 0);
            }
            else if (fromSwitchEvent)
            {
                Interlocked.Exchange(ref _failoverUntil, 0);
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            // Disposed while comparing endpoints (a host name lookup).
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

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Warning, "Sentinel service {Service}: failover in progress ({Event}); refusing store calls until the new master is known.", EventName = "SentinelFailoverStarted")]
        public static partial void FailoverStarted(ILogger logger, string service, string @event);

        [LoggerMessage(21, LogLevel.Warning, "Sentinel service {Service}: master is now {Master}.", EventName = "SentinelMasterSwitched")]
        public static partial void MasterSwitched(ILogger logger, string service, string master);

        [LoggerMessage(22, LogLevel.Warning, "Sentinel service {Service}: no sentinel named the master ({FailureKind}) in {FailedPolls} polls in a row; keeping the current master. Repeated at most every {Interval} while it lasts.", EventName = "SentinelsUnavailable")]
        public static partial void SentinelsUnavailable(ILogger logger, string service, string failureKind, int failedPolls, TimeSpan interval);

        [LoggerMessage(23, LogLevel.Warning, "Sentinel service {Service}: the sentinels name {Master} as master, but it answers {Answer}; not switching to it yet.", EventName = "SentinelCandidateNotMaster")]
        public static partial void CandidateNotMaster(ILogger logger, string service, string master, string answer);

        [LoggerMessage(24, LogLevel.Information, "Sentinel service {Service}: the sentinels answer again, after {FailedPolls} failed polls.", EventName = "SentinelsAnswering")]
        public static partial void SentinelsAnswering(ILogger logger, string service, int failedPolls);
    }
}
