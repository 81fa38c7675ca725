namespace Gateway.Middleware.Configuration;

/// <summary>The answers a policy can reword under <c>Answers:&lt;kind&gt;</c>.</summary>
public enum SmsCodeAnswerKind
{
    /// <summary>The code was stored and the provider accepted the SMS. Default 200 <c>{"message":"ok"}</c>.</summary>
    Sent,

    /// <summary>Sent within the interval, or a mobile or IP cap reached. Default 400 <c>{"message":"手机频繁发送短信"}</c>.</summary>
    Refused,

    /// <summary>The mobile is missing, not canonical or does not match. Default 404.</summary>
    InvalidMobile,

    /// <summary>Redis is unreachable, slow or failing. Default 503.</summary>
    StoreUnavailable,

    /// <summary>The provider refused the connection, answered non-2xx, or a 2xx that <c>Provider:SuccessWhen</c> rejects. Default 502.</summary>
    ProviderFailed,

    /// <summary>The provider did not answer in time; the code is kept. Default 504.</summary>
    ProviderTimeout,

    /// <summary>A client rate limit in front of the gate, answered with <c>WriteSmsCodeTooManyRequestsAsync</c>. Default 429.</summary>
    TooManyRequests,

    /// <summary>The spend guard (<c>MaxSendsPerMinute</c>). Default 503.</summary>
    SpendGuard,

    /// <summary>The verify endpoint: the code was right. Default 200 <c>{"message":"ok"}</c>.</summary>
    Verified,

    /// <summary>The verify endpoint: a wrong code, or none. Default 400.</summary>
    WrongCode,

    /// <summary>Verification: the code's attempts are spent. Default 429.</summary>
    AttemptsSpent,

    /// <summary>Verification: the mobile's failures for the day are spent. Default 429.</summary>
    FailuresPerDaySpent,

    /// <summary>
    /// A legacy verify route: the mobile has no current code, so the attempt is not forwarded. Default 400
    /// <c>{"message":"验证码已过期"}</c>, the legacy view's own answer for an expired code.
    /// </summary>
    VerifyNoCode,

    /// <summary>
    /// Verification: another attempt at the same code is being checked; this one is refused uncounted, with
    /// <c>Retry-After: 1</c>. Default 429.
    /// </summary>
    AttemptInFlight,

    /// <summary>
    /// The send route: a number rule (<c>Numbers:AllowRegions</c>, <c>DenyPrefixes</c>, <c>DenyTypes</c>) refuses the
    /// number; neither the store nor the provider is asked. Default 403.
    /// </summary>
    NumberRefused,

    /// <summary>
    /// The send route: the mobile's number block is blocked by the conversion guard, or reached its hourly cap
    /// (<c>Blocks:*</c>); the provider is not asked. Default 403, with <c>Retry-After</c>.
    /// </summary>
    BlockRefused,
}
