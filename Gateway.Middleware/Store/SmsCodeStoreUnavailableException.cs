namespace Gateway.Middleware.Store;

/// <summary>The SMS code store could not be reached or did not answer in time; the gate answers 503.</summary>
internal sealed class SmsCodeStoreUnavailableException : Exception
{
    /// <summary>The kind of a failure no store classified.</summary>
    internal const string OtherErrorType = "other";

    /// <summary>Creates the exception.</summary>
    public SmsCodeStoreUnavailableException()
        : this("The SMS code store is unavailable.")
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    public SmsCodeStoreUnavailableException(string message)
        : this(message, OtherErrorType, null)
    {
    }

    /// <summary>Creates the exception with a reason; the inner exception is not kept, its text may name keys. A store classifies its failures with the internal constructor.</summary>
    public SmsCodeStoreUnavailableException(string message, Exception? innerException)
        : this(message, OtherErrorType, innerException)
    {
    }

    internal SmsCodeStoreUnavailableException(string message, string errorType, Exception? innerException)
        : base(innerException is null ? message : $"{message} ({innerException.GetType().Name})")
    {
        ErrorType = errorType;
    }

    /// <summary>The failure's kind as the metrics count it: timeout, connection, server_error, breaker_open, ...</summary>
    internal string ErrorType { get; }

    /// <summary>The script call that failed after it was sent: after a timeout it may still run, its outcome still to come.</summary>
    internal Task<StackExchange.Redis.RedisResult>? SentCall { get; init; }
}
