using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Send;

internal sealed partial class SmsCodeSendHandler
{
    private static partial class Log
    {
        // Per-request events are Debug (the metric counts them); the call sites check IsEnabled before masking the mobile.
        [LoggerMessage(EventIds.CodeSent, LogLevel.Debug, "SMS code sent: policy {Policy}, mobile {Mobile}.", EventName = nameof(EventIds.CodeSent), SkipEnabledCheck = true)]
        public static partial void CodeSent(ILogger logger, string policy, string mobile);

        [LoggerMessage(EventIds.SendRefused, LogLevel.Debug, "SMS send refused: policy {Policy}, mobile {Mobile}, reason {Reason}, retry after {RetryAfterSeconds} s.", EventName = nameof(EventIds.SendRefused), SkipEnabledCheck = true)]
        public static partial void SendRefused(ILogger logger, string policy, string mobile, string reason, long retryAfterSeconds);

        [LoggerMessage(EventIds.ProviderFailed, LogLevel.Warning, "SMS provider failed: policy {Policy}, failure {Failure}; flag and code revoked: {Revoked}. {Suppressed} more since the last such line.", EventName = nameof(EventIds.ProviderFailed))]
        public static partial void ProviderFailed(ILogger logger, string policy, string failure, bool revoked, long suppressed);

        [LoggerMessage(EventIds.RevokeFailed, LogLevel.Error, "SMS provider failed and the revoke failed too: policy {Policy}, failure {Failure}, store: {StoreFailure}. The flag expires with its TTL. {Suppressed} more since the last such line.", EventName = nameof(EventIds.RevokeFailed))]
        public static partial void RevokeFailed(ILogger logger, string policy, string failure, string storeFailure, long suppressed);

        [LoggerMessage(EventIds.SpendGuardReached, LogLevel.Warning, "SMS spend guard reached: policy {Policy} forwarded its {MaxSendsPerMinute} sends this minute; refusing with 503 for {RetryAfterSeconds} s. {Suppressed} more since the last such line.", EventName = nameof(EventIds.SpendGuardReached))]
        public static partial void SpendGuardReached(ILogger logger, string policy, int maxSendsPerMinute, long retryAfterSeconds, long suppressed);

        [LoggerMessage(EventIds.ClientAborted, LogLevel.Warning, "Client went away while the SMS was being forwarded: policy {Policy}. The provider may have sent it, so the code is kept. {Suppressed} more since the last such line.", EventName = nameof(EventIds.ClientAborted))]
        public static partial void ClientAborted(ILogger logger, string policy, long suppressed);

        [LoggerMessage(EventIds.ProviderTimedOut, LogLevel.Warning, "SMS provider did not answer in time ({Failure}): policy {Policy}. It may have sent the SMS, so flag and code are kept; answered 504. {Suppressed} more since the last such line.", EventName = nameof(EventIds.ProviderTimedOut))]
        public static partial void ProviderTimedOut(ILogger logger, string policy, string failure, long suppressed);
    }
}
