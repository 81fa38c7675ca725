using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Store.Redis.Sentinel;

/// <summary>The log events of the Sentinel connection's parts, all written to the logger of <see cref="SentinelMasterConnection"/>.</summary>
internal static partial class SentinelLog
{
    [LoggerMessage(EventIds.SentinelFailoverStarted, LogLevel.Warning, "Sentinel service {Service}: failover in progress ({Event}); refusing store calls until the new master is known.", EventName = nameof(EventIds.SentinelFailoverStarted))]
    public static partial void FailoverStarted(ILogger logger, string service, string @event);

    [LoggerMessage(EventIds.SentinelMasterSwitched, LogLevel.Warning, "Sentinel service {Service}: master is now {Master} (config epoch {ConfigEpoch}).", EventName = nameof(EventIds.SentinelMasterSwitched))]
    public static partial void MasterSwitched(ILogger logger, string service, string master, long configEpoch);

    [LoggerMessage(EventIds.SentinelsUnavailable, LogLevel.Warning, "Sentinel service {Service}: no sentinel named the master ({FailureKind}) in {FailedPolls} polls in a row; keeping the current master. Repeated at most every {Interval} while it lasts.", EventName = nameof(EventIds.SentinelsUnavailable))]
    public static partial void SentinelsUnavailable(ILogger logger, string service, string failureKind, int failedPolls, TimeSpan interval);

    [LoggerMessage(EventIds.SentinelCandidateNotMaster, LogLevel.Warning, "Sentinel service {Service}: the sentinels name {Master} as master, but it answers {Answer}; not switching to it yet.", EventName = nameof(EventIds.SentinelCandidateNotMaster))]
    public static partial void CandidateNotMaster(ILogger logger, string service, string master, string answer);

    [LoggerMessage(EventIds.SentinelsAnswering, LogLevel.Information, "Sentinel service {Service}: the sentinels answer again, after {FailedPolls} failed polls.", EventName = nameof(EventIds.SentinelsAnswering))]
    public static partial void SentinelsAnswering(ILogger logger, string service, int failedPolls);

    [LoggerMessage(EventIds.SentinelStaleConfig, LogLevel.Warning, "Sentinel service {Service}: the newest sentinel answer names {Master} at config epoch {ConfigEpoch}, older than that of the current master {Current} ({CurrentEpoch}); staying on the current master.", EventName = nameof(EventIds.SentinelStaleConfig))]
    public static partial void StaleConfig(ILogger logger, string service, string master, long configEpoch, string current, long currentEpoch);
}
