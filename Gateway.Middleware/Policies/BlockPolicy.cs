using Gateway.Middleware.Numbers;
using Gateway.Middleware.Store;

namespace Gateway.Middleware.Policies;

/// <summary>
/// A policy's number blocks, ready for the hot path: parsed key templates and limits in milliseconds. A mobile's block
/// is the first <see cref="PrefixLength"/> digits of its E.164 form, as libphonenumber reads it for the policy.
/// </summary>
internal sealed class BlockPolicy
{
    private readonly string? _numberRegion;

    public BlockPolicy(SmsCodeBlockOptions options, string? numberRegion)
    {
        ArgumentNullException.ThrowIfNull(options);
        _numberRegion = numberRegion;
        PrefixLength = options.PrefixLength;
        MaxPerHour = options.MaxPerHour;
        WindowMilliseconds = (long)options.Window.TotalMilliseconds;
        MinSends = options.MinSends;
        MinConversion = options.MinConversion;
        BlockForMilliseconds = (long)options.BlockFor.TotalMilliseconds;
        RememberMilliseconds = (long)options.RememberVerified.TotalMilliseconds;
        Mode = options.Mode;
        CounterKey = Parse(options.CounterKey, SmsCodeBlockOptions.BlockPlaceholder);
        HourCounterKey = Parse(options.HourCounterKey, SmsCodeBlockOptions.BlockPlaceholder);
        BlockedKey = Parse(options.BlockedKey, SmsCodeBlockOptions.BlockPlaceholder);
        RememberedKey = Parse(options.RememberedKey, SmsCodePolicyOptions.MobilePlaceholder);
    }

    public int PrefixLength { get; }

    public int MaxPerHour { get; }

    public long WindowMilliseconds { get; }

    public int MinSends { get; }

    public double MinConversion { get; }

    public long BlockForMilliseconds { get; }

    public long RememberMilliseconds { get; }

    public SmsCodeRuleMode Mode { get; }

    /// <summary>True when the conversion guard is on (a least conversion is set).</summary>
    public bool Guards => MinConversion > 0;

    public SmsCodeKeyTemplate CounterKey { get; }

    public SmsCodeKeyTemplate HourCounterKey { get; }

    public SmsCodeKeyTemplate BlockedKey { get; }

    public SmsCodeKeyTemplate RememberedKey { get; }

    /// <summary>
    /// The block of <paramref name="mobile"/> (E.164 digits without <c>+</c>, cut to <see cref="PrefixLength"/>), or null
    /// when libphonenumber cannot read it for the policy.
    /// </summary>
    public string? BlockOf(string mobile) =>
        PhoneNumberReader.TryRead(_numberRegion, mobile, out var number) ? BlockOf(number) : null;

    /// <summary>What the store counts for <paramref name="mobile"/>'s block; <see cref="SmsCodeBlock.Off"/> when it has none.</summary>
    public SmsCodeBlock For(string mobile) => BlockOf(mobile) is { } block ? For(mobile, block) : SmsCodeBlock.Off;

    /// <summary>As <see cref="For(string)"/>, for a mobile the send's number check has already read.</summary>
    public SmsCodeBlock For(string mobile, in PhoneNumberReading number) => For(mobile, BlockOf(number));

    private string BlockOf(in PhoneNumberReading number)
    {
        var digits = number.E164.AsSpan(1);
        return digits[..Math.Min(PrefixLength, digits.Length)].ToString();
    }

    private SmsCodeBlock For(string mobile, string block) => new(
        block, CounterKey.Build(block), HourCounterKey.Build(block), BlockedKey.Build(block), RememberedKey.Build(mobile),
        MaxPerHour, WindowMilliseconds, MinSends, MinConversion, BlockForMilliseconds, RememberMilliseconds, Mode == SmsCodeRuleMode.Shadow);

    // The validator has accepted every template before a policy is built; parsing cannot fail here.
    private static SmsCodeKeyTemplate Parse(string template, string placeholder) =>
        SmsCodeKeyTemplate.TryParse(template, placeholder, out var error) ?? throw new InvalidOperationException(error);
}
