namespace Gateway.Middleware.Store;

/// <summary>One cap counted by an issue call: its key and limit; a limit of 0 leaves it off.</summary>
internal readonly record struct SmsCodeCounter(string? Key, int Limit)
{
    public const long HourMilliseconds = 3_600_000;
    public const long DayMilliseconds = 86_400_000;
    public const long MinuteMilliseconds = 60_000;

    public static SmsCodeCounter Off => default;

    public bool IsOn => Limit > 0 && Key is not null;
}
