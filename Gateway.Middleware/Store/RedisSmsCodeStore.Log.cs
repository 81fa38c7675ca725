using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Store;

/// <summary>The Redis store's log events.</summary>
internal sealed partial class RedisSmsCodeStore
{
    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Warning, "An issue call that the gate gave up on was revoked afterwards; keys deleted: {Revoked}.", EventName = "LateIssueRevoked")]
        public static partial void LateIssueRevoked(ILogger logger, bool revoked);

        [LoggerMessage(11, LogLevel.Debug, "An issue call that the gate gave up on never completed ({FailureKind}); revoking blindly.", EventName = "LateIssueUnknown")]
        public static partial void LateIssueUnknown(ILogger logger, string failureKind);

        [LoggerMessage(12, LogLevel.Warning, "Could not revoke an issue call that the gate gave up on: {StoreFailure}. Its flag, if written, expires with its TTL.", EventName = "LateRevokeFailed")]
        public static partial void LateRevokeFailed(ILogger logger, string storeFailure);

        [LoggerMessage(13, LogLevel.Warning, "Could not take back a count on Redis Cluster: {StoreFailure}. It expires with its window.", EventName = "ReleaseFailed")]
        public static partial void ReleaseFailed(ILogger logger, string storeFailure);
    }
}
