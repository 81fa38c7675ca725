namespace Gateway.Middleware.Store;

/// <summary>Why a send was refused; <see cref="None"/> when the code was issued. The values are the issue script's.</summary>
internal enum SmsCodeRefusal
{
    None = 0,

    /// <summary>A code went out within the send interval (the legacy send flag).</summary>
    Interval = 1,

    /// <summary>The mobile's hourly cap is reached.</summary>
    Hour = 2,

    /// <summary>The mobile's daily cap is reached.</summary>
    Day = 3,

    /// <summary>The client IP's hourly cap is reached.</summary>
    Ip = 4,

    /// <summary>The policy's sends per minute (the spend guard) are reached.</summary>
    Spend = 5,

    /// <summary>
    /// Not a refusal: a repeat of the request that sent the current code, carrying the same <c>Idempotency-Key</c>
    /// within the send interval. It gets that request's answer again, and no second SMS.
    /// </summary>
    Repeat = 6,

    /// <summary>The mobile's number block is blocked by the conversion guard, and the mobile is not remembered.</summary>
    Block = 7,

    /// <summary>The number block's hourly cap is reached.</summary>
    BlockHour = 8,
}
