namespace Gateway.Middleware.Store;

/// <summary>The store could not be reached in time. Its message never holds a key, a mobile or a code.</summary>
public sealed class SmsCodeStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SmsCodeStoreUnavailableException()
        : this("The SMS code store is unavailable.")
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    public SmsCodeStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a reason and the failure's kind; the inner exception is not kept, its text may name keys.</summary>
    public SmsCodeStoreUnavailableException(string message, Exception? innerException)
        : base(innerException is null ? message : $"{message} ({innerException.GetType().Name})")
    {
    }
}
