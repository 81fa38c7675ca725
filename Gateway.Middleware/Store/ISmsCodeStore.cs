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
    /// Deletes the flag and code that <paramref name="request"/> wrote and takes its counts back, if its nonce is still
    /// the one the code state holds (no newer request issued since), even when the flag has expired meanwhile.
    /// </summary>
    ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request);

    /// <summary>Checks that the store answers.</summary>
    ValueTask PingAsync(CancellationToken cancellationToken);
}
