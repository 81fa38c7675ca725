namespace Gateway.Middleware.Configuration;

/// <summary>
/// A policy's number rules, bound from <c>SmsCodeGate:Policies:&lt;name&gt;:Numbers</c>: which numbers a code may be
/// sent to, read with libphonenumber. Off unless a list is set. The most specific rule wins (see docs/numbers.md).
/// </summary>
public sealed class SmsCodeNumbersOptions
{
    /// <summary>
    /// ISO 3166 region codes (<c>["CN", "HK"]</c>): when set, only numbers of these regions are sent a code. Empty
    /// (the default): every region.
    /// </summary>
    public IList<string> AllowRegions { get; } = [];

    /// <summary>
    /// E.164 prefixes (<c>["+86170", "+86171"]</c>) whose numbers are not sent a code. A prefix longer than its country
    /// calling code wins over <see cref="AllowRegions"/>; one no longer than it (<c>"+1"</c>) gives way to an allowed region.
    /// </summary>
    public IList<string> DenyPrefixes { get; } = [];

    /// <summary>
    /// libphonenumber number types that are not sent a code: <c>PremiumRate</c>, <c>SharedCost</c>, <c>TollFree</c>,
    /// <c>Voip</c>, <c>Uan</c>, <c>Unknown</c> (a number valid in no numbering plan), and the others the library knows
    /// (<c>FixedLine</c>, <c>Mobile</c>, <c>FixedLineOrMobile</c>, <c>PersonalNumber</c>, <c>Pager</c>, <c>Voicemail</c>).
    /// A type wins over <see cref="AllowRegions"/>.
    /// </summary>
    public IList<string> DenyTypes { get; } = [];

    /// <summary><see cref="SmsCodeRuleMode.Enforce"/> (the default) refuses with 403; <see cref="SmsCodeRuleMode.Shadow"/> counts and lets pass.</summary>
    public SmsCodeRuleMode Mode { get; set; } = SmsCodeRuleMode.Enforce;

    /// <summary>True when any rule is set.</summary>
    internal bool HasRules => AllowRegions.Count > 0 || DenyPrefixes.Count > 0 || DenyTypes.Count > 0;
}
