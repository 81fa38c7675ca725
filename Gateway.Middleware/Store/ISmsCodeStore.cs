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

    /// <summary>
    /// Counts one attempt at the mobile's current code, for a legacy app's verify route: within the limit it may go
    /// on (the result carries the code's nonce) and holds the code as <paramref name="attempt"/> for at most the
    /// request's hold time; past it the code is deleted. No code: nothing is written. A code held by another attempt:
    /// <see cref="SmsCodeVerifyOutcome.InFlight"/>, nothing counted.
    /// </summary>
    ValueTask<SmsCodeVerifyResult> CountAttemptAsync(SmsCodeVerifyRequest request, string attempt);

    /// <summary>The legacy app did not accept <paramref name="attempt"/>: lets go of the code it holds, if it still does.</summary>
    ValueTask ReleaseAttemptAsync(SmsCodeVerifyRequest request, string attempt);

    /// <summary>
    /// The legacy app accepted the code that <paramref name="nonce"/> names: deletes it and its state, unless a newer
    /// code was issued meanwhile, and takes the attempt off the day's failures.
    /// </summary>
    ValueTask UseUpAsync(SmsCodeVerifyRequest request, string nonce);

    /// <summary>
    /// The gate's own verify endpoint: counts the attempt and compares <paramref name="guess"/> with the stored code
    /// in one step; a right guess uses the code up, a wrong one counts as a failure for the day, no code writes nothing.
    /// </summary>
    ValueTask<SmsCodeVerifyResult> VerifyAsync(SmsCodeVerifyRequest request, string guess);

    /// <summary>Checks that the store answers.</summary>
    ValueTask PingAsync(CancellationToken cancellationToken);
}
