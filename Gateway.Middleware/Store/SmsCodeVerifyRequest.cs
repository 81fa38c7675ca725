namespace Gateway.Middleware.Store;

/// <summary>
/// What one verification call touches: the mobile's code, its state (the attempt count), the send flag (for the
/// time until a new code can be asked for) and the daily failed-attempts counter.
/// </summary>
internal readonly record struct SmsCodeVerifyRequest(
    int Database,
    string CodeKey,
    string CodeStateKey,
    string SendFlagKey,
    int MaxAttempts,
    SmsCodeCounter FailuresPerDay,
    long CodeLifetimeMilliseconds);
