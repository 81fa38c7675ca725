using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis.Sentinel;

/// <summary>
/// Asks the sentinels, over one connection to all of them, which master they name and at which config epoch. Used by
/// the poll and to follow a <c>+switch-master</c> event at the epoch it stands for.
/// </summary>
internal sealed class SentinelQuery : IDisposable
{
    private readonly string _serviceName;
    private readonly Lock _lock = new();
    private ConnectionMultiplexer? _sentinels; // set by StartAsync
    private bool _disposed;

    public SentinelQuery(string serviceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        _serviceName = serviceName;
    }

    /// <summary>Connects to the sentinels of <paramref name="sentinelOptions"/> (those not reachable yet are connected to when they are).</summary>
    public async Task StartAsync(ConfigurationOptions sentinelOptions)
    {
        var sentinels = await ConnectionMultiplexer.ConnectAsync(sentinelOptions).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_disposed)
            {
                _sentinels = sentinels;
                return;
            }
        }

        await sentinels.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// What every connected sentinel that sees the master up names, asked at once; when none does, why (the last
    /// failure seen).
    /// </summary>
    public async Task<(List<SentinelMasterView> Views, string Failure)> AskSentinelsAsync()
    {
        var asked = new List<Task<(SentinelMasterView? View, string? Failure)>>();
        foreach (var sentinel in _sentinels?.GetServers() ?? [])
        {
            if (sentinel.IsConnected)
            {
                asked.Add(AskAsync(sentinel));
            }
        }

        var views = new List<SentinelMasterView>();
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

    /// <summary>The view with the highest config epoch; the first asked among equals. Null when there is none.</summary>
    public static SentinelMasterView? Newest(List<SentinelMasterView> views)
    {
        SentinelMasterView? newest = null;
        foreach (var view in views)
        {
            if (newest is null || view.ConfigEpoch > newest.Value.ConfigEpoch)
            {
                newest = view;
            }
        }

        return newest;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _sentinels?.Dispose();
        }
    }

    /// <summary>One sentinel's view of the master: its address and config epoch; else why it gave none. Never throws.</summary>
    private async Task<(SentinelMasterView? View, string? Failure)> AskAsync(IServer sentinel)
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
            if (await addressTask.ConfigureAwait(false) is not { } address)
            {
                return (null, "service unknown");
            }

            string? flags = null, epoch = null;
            foreach (var (field, value) in await stateTask.ConfigureAwait(false))
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
                ? (new SentinelMasterView(address, configEpoch), null)
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
}

/// <summary>One sentinel's answer: the master it names and the config epoch of that configuration.</summary>
internal readonly record struct SentinelMasterView(EndPoint Master, long ConfigEpoch);
