namespace Gateway.Middleware.Store;

/// <summary>What a verification call found.</summary>
internal enum SmsCodeVerifyOutcome
{
    /// <summary>The attempt was counted and is within the limit: a legacy verify request may go on to the app.</summary>
    Counted = 0,

    /// <summary>The code's attempts were spent: the code is deleted.</summary>
    OverLimit = 1,

    /// <summary>No code is stored for the mobile (never issued, expired, or used up).</summary>
    NoCode = 2,

    /// <summary>The mobile's failed attempts for the day are spent.</summary>
    FailuresPerDay = 3,

    /// <summary>The gate's own endpoint: the guess was right, and the code is used up.</summary>
    Verified = 4,

    /// <summary>The gate's own endpoint: the guess was wrong.</summary>
    Wrong = 5,

    /// <summary>Another attempt at the code is at the legacy app: this one is refused, uncounted.</summary>
    InFlight = 6,
}

/// <summary>
/// The outcome of a verification call, the time until the client may try again (a refusal's <c>Retry-After</c>),
/// and, for a counted attempt, the nonce of the code it was counted against.
/// </summary>
internal readonly record struct SmsCodeVerifyResult(SmsCodeVerifyOutcome Outcome, long RetryAfterMilliseconds, string? Nonce)
{
    /// <summary>Whole seconds for a <c>Retry-After</c> header, rounded up, at least 1.</summary>
    public long RetryAfterSeconds => Math.Max(1, (RetryAfterMilliseconds + 999) / 1000);
}
