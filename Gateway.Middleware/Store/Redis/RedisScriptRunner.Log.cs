using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Store.Redis;

/// <summary>The script runner's log events.</summary>
internal sealed partial class RedisScriptRunner
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.LateIssueRevoked, LogLevel.Warning, "An issue call that the gate gave up on was revoked afterwards; keys deleted: {Revoked}.", EventName = nameof(EventIds.LateIssueRevoked))]
        public static partial void LateIssueRevoked(ILogger logger, bool revoked);

        [LoggerMessage(EventIds.LateIssueUnknown, LogLevel.Debug, "An issue call that the gate gave up on never completed ({FailureKind}); revoking blindly.", EventName = nameof(EventIds.LateIssueUnknown))]
        public static partial void LateIssueUnknown(ILogger logger, string failureKind);

        [LoggerMessage(EventIds.LateIssueNeverSent, LogLevel.Debug, "An issue call that the gate answered 503 for never reached Redis ({FailureKind}, {CommandStatus}): nothing was written, nothing to revoke.", EventName = nameof(EventIds.LateIssueNeverSent))]
        public static partial void LateIssueNeverSent(ILogger logger, string failureKind, string commandStatus);

        [LoggerMessage(EventIds.LateRevokeFailed, LogLevel.Warning, "A send answered 503 had reached Redis before it failed, and undoing it failed too: {StoreFailure}. If its script ran, that mobile's send flag and its code (never sent) stay until they expire (the policy's SendInterval and CodeLifetime): the mobile is refused until then. Nothing to do once Redis answers again; the StoreUnavailable lines tell the outage.", EventName = nameof(EventIds.LateRevokeFailed))]
        public static partial void LateRevokeFailed(ILogger logger, string storeFailure);

        [LoggerMessage(EventIds.ReleaseFailed, LogLevel.Warning, "Could not take back a count on Redis Cluster: {StoreFailure}. It expires with its window. {Suppressed} more since the last such line.", EventName = nameof(EventIds.ReleaseFailed))]
        public static partial void ReleaseFailed(ILogger logger, string storeFailure, long suppressed);

        [LoggerMessage(EventIds.StoreDataError, LogLevel.Warning, "Redis refused a call over the contents of the keys of {Key} ({RedisError}): that request is answered 503; the store is not marked unavailable. {Suppressed} more since the last such line.", EventName = nameof(EventIds.StoreDataError))]
        public static partial void DataError(ILogger logger, string key, string redisError, long suppressed);
    }
}
