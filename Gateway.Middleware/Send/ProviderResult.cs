

namespace Gateway.Middleware.Send;

/// <summary>How a forward of an issued code to the SMS provider ended.</summary>
internal enum ProviderOutcome
{
    /// <summary>The provider accepted the SMS.</summary>
    Sent,

    /// <summary>The client went away mid-forward; the provider may have sent the SMS.</summary>
    ClientAborted,

    /// <summary>No answer in time, or the connection broke after the request went: the SMS may have gone.</summary>
    TimedOut,

    /// <summary>The SMS did not go: a refused connection, a non-2xx, or a 2xx that <c>SuccessWhen</c> rejects.</summary>
    Failed,
}

/// <summary>A forward's <see cref="ProviderOutcome"/> and, for a failure or a timeout, what happened (for the log).</summary>
internal readonly record struct ProviderResult(ProviderOutcome Outcome, string Failure);
