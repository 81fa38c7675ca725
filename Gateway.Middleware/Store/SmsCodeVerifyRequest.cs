namespace Gateway.Middleware.Store;

/// <summary>
/// What one verification call touches: the mobile's code, its state (the attempt count), the send flag (for the
/// time until a new code can be asked for) and the daily failed-attempts counter. A legacy route's attempt holds the
/// code for at most <paramref name="HoldMilliseconds"/> (0: no hold) while it is at the app.
/// </summary>
internal readonly record struct SmsCodeVerifyRequest(
    int Database,
    string CodeKey,
    string CodeStateKey,
    string SendFlagKey,
    int MaxAttempts,
    SmsCodeCounter FailuresPerDay,
    long CodeLifetimeMilliseconds,
    long HoldMilliseconds = 0)
{
    /// <summary>The mobile's number block: a successful verification counts for it and remembers the mobile.</summary>
    public SmsCodeBlock Block { get; init; }
}
