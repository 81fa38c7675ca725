namespace Gateway.Middleware.Store;

/// <summary>
/// The number block of one send or verification: its keys, and the policy's limits for it (see docs/blocks.md).
/// <see cref="Off"/> when the policy has no blocks, or the mobile could not be read as a number.
/// </summary>
internal readonly record struct SmsCodeBlock(
    string Block,
    string CounterKey,
    string HourCounterKey,
    string BlockedKey,
    string RememberedKey,
    int MaxPerHour,
    long WindowMilliseconds,
    int MinSends,
    double MinConversion,
    long BlockForMilliseconds,
    long RememberMilliseconds,
    bool Shadow)
{
    public static SmsCodeBlock Off => default;

    public bool IsOn => CounterKey is not null;

    /// <summary>True when the conversion guard counts this block's sends and verifications.</summary>
    public bool Guards => IsOn && MinConversion > 0;
}

/// <summary>
/// What the block rules saw on an issue call: the refusal they would have answered in shadow mode, whether this call
/// blocked the block, and the block's sends and verifications in its window.
/// </summary>
internal readonly record struct SmsCodeBlockOutcome(SmsCodeRefusal ShadowRefusal, bool BlockedNow, long Sends, long Verified)
{
    /// <summary>Redis Cluster: whether the mobile's own script found the mobile remembered (see <see cref="SmsCodeIssueRequest.RememberedKey"/>).</summary>
    public bool Remembered { get; init; }
}

/// <summary>A blocked block, as the management endpoint lists it.</summary>
internal readonly record struct SmsCodeBlockedBlock(string Block, long Sends, long Verified, long MillisecondsLeft);
