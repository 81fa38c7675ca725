namespace Gateway.Middleware.Store;

/// <summary>The outcome of an issue call: issued, or refused with the reason and the time until a send may pass.</summary>
/// <remarks>For a <see cref="SmsCodeRefusal.Repeat"/>, <paramref name="FirstNonce"/> names the request that sent the code.</remarks>
internal readonly record struct SmsCodeIssueResult(SmsCodeRefusal Refusal, long RetryAfterMilliseconds, string? FirstNonce = null)
{
    public static SmsCodeIssueResult Issued => default;

    /// <summary>What the number block rules saw; default when the policy has no blocks.</summary>
    public SmsCodeBlockOutcome Block { get; init; }

    public bool IsIssued => Refusal == SmsCodeRefusal.None;

    /// <summary>Whole seconds for a <c>Retry-After</c> header, rounded up, at least 1.</summary>
    public long RetryAfterSeconds => Math.Max(1, (RetryAfterMilliseconds + 999) / 1000);
}
