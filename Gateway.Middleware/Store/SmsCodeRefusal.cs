namespace Gateway.Middleware.Store;

/// <summary>Why a send was refused; <see cref="None"/> when the code was issued.</summary>
internal enum SmsCodeRefusal
{
    None = 0,
    Interval = 1,
}
