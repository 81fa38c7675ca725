namespace Gateway.Middleware.Policies;

/// <summary>
/// A policy's number blocks, bound from <c>SmsCodeGate:Policies:&lt;name&gt;:Blocks</c>: caps and the conversion guard
/// per block of numbers (the first <see cref="PrefixLength"/> digits of the E.164 form), against SMS pumping. Off
/// unless <see cref="PrefixLength"/> is set. On one server and behind Sentinel, counted in the scripts that already
/// run on a send and a verification; on Redis Cluster, by a script in the block's own slot sent beside the mobile's:
/// no extra round trip in latency either way (see docs/blocks.md).
/// </summary>
public sealed class SmsCodeBlockOptions
{
    /// <summary>The placeholder that the block key templates replace with the block (E.164 digits, without <c>+</c>).</summary>
    public const string BlockPlaceholder = "{block}";

    /// <summary>The longest <see cref="PrefixLength"/>: an E.164 number has at most 15 digits.</summary>
    public const int MaxPrefixLength = 15;

    /// <summary>
    /// How many E.164 digits (country code included, <c>+</c> not) make a block: 7 puts <c>+8613800138000</c> in block
    /// <c>8613800</c>. 0 (the default) leaves blocks off; otherwise 1 to 15, and the policy needs a <c>CountryCode</c>.
    /// </summary>
    public int PrefixLength { get; set; }

    /// <summary>Sends per block per hour, across instances; 0 (the default) is off. Over it, 403 <c>BlockRefused</c>.</summary>
    public int MaxPerHour { get; set; }

    /// <summary>The conversion guard's window: sends and successful verifications of a block are counted in a fixed window from its first send. Default 1 h.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The warm-up: a block with fewer sends than this in the window is never blocked. Default 20; at least 1.</summary>
    public int MinSends { get; set; } = 20;

    /// <summary>
    /// Successful verifications ÷ sends below which a block with <see cref="MinSends"/> sends is blocked, 0 to 1.
    /// 0 (the default) leaves the conversion guard off.
    /// </summary>
    public double MinConversion { get; set; }

    /// <summary>How long a block stays blocked. Default 1 h.</summary>
    public TimeSpan BlockFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a mobile that verified is remembered: the conversion guard never refuses it (one key per mobile, with
    /// this TTL). Default 30 days; 0 remembers none.
    /// </summary>
    public TimeSpan RememberVerified { get; set; } = TimeSpan.FromDays(30);

    /// <summary><see cref="SmsCodeRuleMode.Enforce"/> (the default) refuses with 403; <see cref="SmsCodeRuleMode.Shadow"/> counts, logs and lets pass.</summary>
    public SmsCodeRuleMode Mode { get; set; } = SmsCodeRuleMode.Enforce;

    /// <summary>The block's counters in the window, a hash of <c>sends</c> and <c>verified</c>. Default <c>sms_block_{block}</c>.</summary>
    public string CounterKey { get; set; } = "sms_block_" + BlockPlaceholder;

    /// <summary>The block's sends in the hour, for <see cref="MaxPerHour"/>. Default <c>sms_block_hour_{block}</c>.</summary>
    public string HourCounterKey { get; set; } = "sms_block_hour_" + BlockPlaceholder;

    /// <summary>Present while the block is blocked (TTL <see cref="BlockFor"/>), a hash of its counts when it was. Default <c>sms_blocked_{block}</c>.</summary>
    public string BlockedKey { get; set; } = "sms_blocked_" + BlockPlaceholder;

    /// <summary>A mobile that verified, for <see cref="RememberVerified"/>; a <c>{mobile}</c> template. Default <c>sms_verified_{mobile}</c>.</summary>
    public string RememberedKey { get; set; } = "sms_verified_" + SmsCodePolicyOptions.MobilePlaceholder;

    /// <summary>True when blocks are on.</summary>
    internal bool IsOn => PrefixLength > 0;
}
