namespace Gateway.Middleware.Diagnostics;

/// <summary>
/// Every event id the library logs, in one table (as YARP's <c>Utilities/EventIds.cs</c>), so that none is used
/// twice and the log throttle keys on the same numbers. Constants, for <c>[LoggerMessage]</c>; each event's name is
/// its constant's name, except where noted.
/// </summary>
internal static class EventIds
{
    // The policies: reloads and the checks against the store.
    public const int PoliciesReloaded = 1;
    public const int PoliciesReloadRejected = 2;
    public const int PolicyRejected = 3;

    // The Redis store.
    public const int LateIssueRevoked = 10;
    public const int LateIssueUnknown = 11;
    public const int LateRevokeFailed = 12;
    public const int ReleaseFailed = 13;
    public const int LateIssueNeverSent = 14;
    public const int StoreDataError = 15;
    public const int StoreNotConnected = 16;
    public const int BlockRevokeFailed = 17;
    public const int BlockVerifiedNotCounted = 18;

    // Sentinel.
    public const int SentinelFailoverStarted = 20;
    public const int SentinelMasterSwitched = 21;
    public const int SentinelsUnavailable = 22;
    public const int SentinelCandidateNotMaster = 23;
    public const int SentinelsAnswering = 24;
    public const int SentinelStaleConfig = 25;

    // Store outages, as an operator reads them.
    public const int StoreNotReady = 30;
    public const int StoreAnswersAgain = 31;

    // The gate, per request.
    public const int CodeSent = 100;
    public const int SendRefused = 101;
    public const int ProviderFailed = 102;
    public const int RevokeFailed = 103;
    public const int StoreUnavailable = 104;
    public const int PolicyMissing = 105;
    public const int SpendGuardReached = 106;
    public const int InvalidMobile = 107;
    public const int ClientAborted = 108;

    /// <summary>Named <c>PolicyRejected</c> too: <see cref="PolicyRejected"/> is logged once when a check finds it, this one (throttled) while its requests are answered 503.</summary>
    public const int PolicyRejectedRequest = 109;
    public const int ProviderTimedOut = 110;
    public const int MethodNotAllowed = 111;
    public const int PathRefused = 112;

    // Number rules.
    public const int NumberRefused = 130;
    public const int ShadowNumberRefused = 131;

    // Number blocks.
    public const int BlockBlocked = 140;
    public const int BlockRefused = 141;
    public const int ShadowBlockRefused = 142;

    // Verification.
    public const int VerifyUseUpFailed = 121;
    public const int VerifyAttemptsSpent = 122;

    // Registration: which store.
    public const int InProcessStore = 200;
    public const int RedisStore = 201;

    // Configuration that is legal but likely wrong, warned once.
    public const int PolicyUnused = 210;
    public const int GatedRouteWithoutRateLimit = 211;
}
