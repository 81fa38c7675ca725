namespace Gateway.Middleware.Store;

/// <summary>
/// One cap counted by the store: its key and limit, the window it counts in, and the refusal an issue call gives
/// when it is reached. A limit of 0 (or <see cref="Off"/>) leaves it off.
/// </summary>
internal readonly record struct SmsCodeCounter
{
    public const long HourMilliseconds = 3_600_000;
    public const long DayMilliseconds = 86_400_000;
    public const long MinuteMilliseconds = 60_000;

    private SmsCodeCounter(string key, int limit, long windowMilliseconds, SmsCodeRefusal refusal)
    {
        Key = key;
        Limit = limit;
        WindowMilliseconds = windowMilliseconds;
        Refusal = refusal;
    }

    public static SmsCodeCounter Off => default;

    public string? Key { get; }

    public int Limit { get; }

    /// <summary>The fixed window, from the first count, after which the counter expires.</summary>
    public long WindowMilliseconds { get; }

    /// <summary>Why an issue call is refused once the counter is at its limit; <see cref="SmsCodeRefusal.None"/> for a counter no issue checks.</summary>
    public SmsCodeRefusal Refusal { get; }

    public bool IsOn => Limit > 0 && Key is not null;

    /// <summary>Sends of one mobile in an hour.</summary>
    public static SmsCodeCounter MobilePerHour(string key, int limit) => new(key, limit, HourMilliseconds, SmsCodeRefusal.Hour);

    /// <summary>Sends of one mobile in a day.</summary>
    public static SmsCodeCounter MobilePerDay(string key, int limit) => new(key, limit, DayMilliseconds, SmsCodeRefusal.Day);

    /// <summary>Sends from one client IP in an hour.</summary>
    public static SmsCodeCounter IpPerHour(string key, int limit) => new(key, limit, HourMilliseconds, SmsCodeRefusal.Ip);

    /// <summary>Sends of one policy in a minute (the spend guard).</summary>
    public static SmsCodeCounter SendsPerMinute(string key, int limit) => new(key, limit, MinuteMilliseconds, SmsCodeRefusal.Spend);

    /// <summary>Failed verification attempts of one mobile in a day; checked by verification, not by issue calls.</summary>
    public static SmsCodeCounter VerifyFailuresPerDay(string key, int limit) => new(key, limit, DayMilliseconds, SmsCodeRefusal.None);
}
