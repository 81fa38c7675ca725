namespace Gateway.Middleware.Store;

/// <summary>
/// Where send flags and codes live. Each call is one atomic step: one Redis round trip for the Redis store.
/// Calls that cannot reach the store throw <see cref="SmsCodeStoreUnavailableException"/>.
/// </summary>
internal interface ISmsCodeStore
{
    /// <summary>True when the store is shared by every gateway instance that uses it.</summary>
    bool IsShared { get; }

    /// <summary>If the send flag is absent: sets it and stores the code. Otherwise refuses, with the time left on the flag.</summary>
    ValueTask<SmsCodeIssueResult> TryIssueAsync(SmsCodeIssueRequest request);

    /// <summary>
    /// Deletes the flag and code that <paramref name="request"/> wrote, if they are still its own and not a newer
    /// request's. <paramref name="elapsedMilliseconds"/> is the time since the issue call started.
    /// </summary>
    ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request, long elapsedMilliseconds);

    /// <summary>Checks that the store answers.</summary>
    ValueTask PingAsync(CancellationToken cancellationToken);
}
