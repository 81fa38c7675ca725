using System.Text.RegularExpressions;

namespace Gateway.Middleware.Configuration;

/// <summary>A validated policy, ready for the hot path: compiled pattern, parsed key templates, TTLs in milliseconds.</summary>
internal sealed class SmsCodePolicy
{
    /// <summary>The longest mobile the gate looks at; E.164 numbers have at most 15 digits.</summary>
    public const int MaxMobileLength = 32;

    /// <summary>What a verify attempt's hold outlasts its timeout by, for the release call to land first.</summary>
    public const long VerifyHoldMarginMilliseconds = 5_000;

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public SmsCodePolicy(string name, SmsCodePolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        MobilePattern = new Regex(WholeValue(options.MobilePattern), RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout);
        SendFlagKey = Parse(options.SendFlagKey, SmsCodePolicyOptions.MobilePlaceholder);
        CodeKey = Parse(options.CodeKey, SmsCodePolicyOptions.MobilePlaceholder);
        CodeStateKey = Parse(options.CodeStateKey, SmsCodePolicyOptions.MobilePlaceholder);
        HourCounterKey = Parse(options.HourCounterKey, SmsCodePolicyOptions.MobilePlaceholder);
        DayCounterKey = Parse(options.DayCounterKey, SmsCodePolicyOptions.MobilePlaceholder);
        IpCounterKey = Parse(options.IpCounterKey, SmsCodePolicyOptions.IpPlaceholder);
        SpendCounterKey = Parse(options.SpendCounterKey, SmsCodePolicyOptions.PolicyPlaceholder).Build(name);
        MobileFrom = RequestValueSource.TryParse(options.MobileFrom, out var mobileError) ?? throw new InvalidOperationException(mobileError);
        CodeFrom = RequestValueSource.TryParse(options.CodeFrom, out var codeError) ?? throw new InvalidOperationException(codeError);
        MaxBodySize = options.MaxBodySize;
        MaxVerifyAttempts = options.MaxVerifyAttempts;
        MaxVerifyFailuresPerDay = options.MaxVerifyFailuresPerDay;
        VerifySuccessWhen = options.VerifySuccessWhen is null ? null : new SmsCodeSuccessMatcher(options.VerifySuccessWhen);
        VerifyTimeout = options.VerifyTimeout;
        VerifyFailureCounterKey = Parse(options.VerifyFailureCounterKey, SmsCodePolicyOptions.MobilePlaceholder);
        MaxPerHour = options.MaxPerHour;
        MaxPerDay = options.MaxPerDay;
        MaxPerIpPerHour = options.MaxPerIpPerHour;
        MaxSendsPerMinute = options.MaxSendsPerMinute;
        SendIntervalMilliseconds = (long)options.SendInterval.TotalMilliseconds;
        CodeLifetimeMilliseconds = (long)options.CodeLifetime.TotalMilliseconds;
        CodeLength = options.CodeLength;
        Database = options.Database;
        CodeHeader = options.CodeHeader;
        ProviderRequestHeaders = [.. options.ProviderRequestHeaders];
        Answers = new Gate.SmsCodeAnswers(options.Answers);
        Provider = options.Provider is null ? null : new Transforms.SmsCodeProviderRequest(options.Provider);
        PassProviderResponse = options.PassProviderResponse;
        AuditStreamKey = string.IsNullOrEmpty(options.AuditStreamKey) ? null : options.AuditStreamKey;
        NumberRegion = options.CountryCode.Length == 0 ? null
            : Numbers.PhoneNumberReader.RegionOfCountryCode(options.CountryCode) ?? throw new InvalidOperationException($"'{options.CountryCode}' is not a country calling code.");
        NumberRules = options.Numbers.HasRules ? new Numbers.NumberRules(options.Numbers) : null;
        Blocks = options.Blocks.IsOn ? new Blocks.BlockPolicy(options.Blocks, NumberRegion) : null;
        if (ReadsNumbers)
        {
            Numbers.PhoneNumberReader.WarmFor(NumberRegion, NumberRules?.Regions);
        }
    }

    public string Name { get; }

    public Regex MobilePattern { get; }

    public SmsCodeKeyTemplate SendFlagKey { get; }

    public SmsCodeKeyTemplate CodeKey { get; }

    public SmsCodeKeyTemplate CodeStateKey { get; }

    public SmsCodeKeyTemplate HourCounterKey { get; }

    public SmsCodeKeyTemplate DayCounterKey { get; }

    public SmsCodeKeyTemplate IpCounterKey { get; }

    /// <summary>The spend guard's key: its template has only the policy's name to fill in.</summary>
    public string SpendCounterKey { get; }

    public RequestValueSource MobileFrom { get; }

    public RequestValueSource CodeFrom { get; }

    public int MaxBodySize { get; }

    public int MaxVerifyAttempts { get; }

    public int MaxVerifyFailuresPerDay { get; }

    public SmsCodeKeyTemplate VerifyFailureCounterKey { get; }

    /// <summary>What the legacy app's verify answer must be to use the code up; null: any 2xx.</summary>
    public SmsCodeSuccessMatcher? VerifySuccessWhen { get; }

    /// <summary>How long a verify attempt may be at the legacy app, holding the code.</summary>
    public TimeSpan VerifyTimeout { get; }

    /// <summary>How long the store keeps an attempt's hold: beyond <see cref="VerifyTimeout"/>, so that the gate lets go first.</summary>
    public long VerifyHoldMilliseconds => (long)VerifyTimeout.TotalMilliseconds + VerifyHoldMarginMilliseconds;

    public int MaxPerHour { get; }

    public int MaxPerDay { get; }

    public int MaxPerIpPerHour { get; }

    public int MaxSendsPerMinute { get; }

    public long SendIntervalMilliseconds { get; }

    public long CodeLifetimeMilliseconds { get; }

    public int CodeLength { get; }

    public int Database { get; }

    public string CodeHeader { get; }

    /// <summary>The answers the gate writes for this policy: the defaults with the policy's <c>Answers</c> on top.</summary>
    public Gate.SmsCodeAnswers Answers { get; }

    /// <summary>The policy's own request to the provider; null for the route's request with the code in <see cref="CodeHeader"/>.</summary>
    public Transforms.SmsCodeProviderRequest? Provider { get; }

    /// <summary>The client headers the provider may see; usually none.</summary>
    public string[] ProviderRequestHeaders { get; }

    public bool PassProviderResponse { get; }

    /// <summary>The audit stream's key; null when the audit trail is off.</summary>
    public string? AuditStreamKey { get; }

    /// <summary>
    /// The main region of the policy's <c>CountryCode</c> (<c>CN</c> for 86), against which a national mobile is read;
    /// null when no <c>CountryCode</c> is set (then only an E.164 mobile can be read).
    /// </summary>
    public string? NumberRegion { get; }

    /// <summary>The policy's number blocks (caps and the conversion guard); null when off.</summary>
    public Blocks.BlockPolicy? Blocks { get; }

    /// <summary>The policy's number rules; null when none is set.</summary>
    public Numbers.NumberRules? NumberRules { get; }

    /// <summary>
    /// True when the send route reads each mobile with libphonenumber (a <c>CountryCode</c> or a number rule is set):
    /// a mobile it cannot read then gets the <c>InvalidMobile</c> answer. False: mobiles are not read as numbers.
    /// </summary>
    public bool ReadsNumbers => NumberRegion is not null || NumberRules is not null;

    // The validator has accepted every template before a policy is built; parsing cannot fail here.
    private static SmsCodeKeyTemplate Parse(string template, string placeholder) =>
        SmsCodeKeyTemplate.TryParse(template, placeholder, out var error) ?? throw new InvalidOperationException(error);

    /// <summary>
    /// The pattern anchored to the whole value: <c>\A(?:pattern)\z</c>, so that <c>$</c> cannot match before a final
    /// newline and a pattern written without anchors still has to match every character.
    /// </summary>
    internal static string WholeValue(string pattern) => @"\A(?:" + pattern + @")\z";

    /// <summary>
    /// True when <paramref name="mobile"/> is a mobile (ASCII digits 0-9 with an optional leading '+', at most
    /// <see cref="MaxMobileLength"/> characters: see <see cref="Keys.MobileForm"/>) and the policy's pattern matches
    /// all of it. The form is checked first, whatever the pattern says: it is what keeps one mobile's keys from naming
    /// another's, and what makes <c>\d</c> mean 0-9 (.NET's <c>\d</c> also matches full-width and other scripts' digits).
    /// </summary>
    public bool IsValidMobile(string? mobile)
    {
        if (string.IsNullOrEmpty(mobile) || mobile.Length > MaxMobileLength || !Keys.MobileForm.IsWellFormed(mobile))
        {
            return false;
        }

        try
        {
            return MobilePattern.IsMatch(mobile);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
