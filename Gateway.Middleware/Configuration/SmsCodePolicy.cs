using System.Text.RegularExpressions;

namespace Gateway.Middleware.Configuration;

/// <summary>A validated policy, ready for the hot path: compiled pattern, parsed key templates, TTLs in milliseconds.</summary>
internal sealed class SmsCodePolicy
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public SmsCodePolicy(string name, SmsCodePolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        MobilePattern = new Regex(options.MobilePattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout);
        SendFlagKey = Parse(options.SendFlagKey, SmsCodePolicyOptions.MobilePlaceholder);
        CodeKey = Parse(options.CodeKey, SmsCodePolicyOptions.MobilePlaceholder);
        HourCounterKey = Parse(options.HourCounterKey, SmsCodePolicyOptions.MobilePlaceholder);
        DayCounterKey = Parse(options.DayCounterKey, SmsCodePolicyOptions.MobilePlaceholder);
        IpCounterKey = Parse(options.IpCounterKey, SmsCodePolicyOptions.IpPlaceholder);
        SpendCounterKey = Parse(options.SpendCounterKey, SmsCodePolicyOptions.PolicyPlaceholder).Build(name);
        MaxPerHour = options.MaxPerHour;
        MaxPerDay = options.MaxPerDay;
        MaxPerIpPerHour = options.MaxPerIpPerHour;
        MaxSendsPerMinute = options.MaxSendsPerMinute;
        SendIntervalMilliseconds = (long)options.SendInterval.TotalMilliseconds;
        CodeLifetimeMilliseconds = (long)options.CodeLifetime.TotalMilliseconds;
        CodeLength = options.CodeLength;
        Database = options.Database;
        CodeHeader = options.CodeHeader;
        PassProviderResponse = options.PassProviderResponse;
    }

    public string Name { get; }

    public Regex MobilePattern { get; }

    public SmsCodeKeyTemplate SendFlagKey { get; }

    public SmsCodeKeyTemplate CodeKey { get; }

    public SmsCodeKeyTemplate HourCounterKey { get; }

    public SmsCodeKeyTemplate DayCounterKey { get; }

    public SmsCodeKeyTemplate IpCounterKey { get; }

    /// <summary>The spend guard's key: its template has only the policy's name to fill in.</summary>
    public string SpendCounterKey { get; }

    public int MaxPerHour { get; }

    public int MaxPerDay { get; }

    public int MaxPerIpPerHour { get; }

    public int MaxSendsPerMinute { get; }

    public long SendIntervalMilliseconds { get; }

    public long CodeLifetimeMilliseconds { get; }

    public int CodeLength { get; }

    public int Database { get; }

    public string CodeHeader { get; }

    public bool PassProviderResponse { get; }

    // The validator has accepted every template before a policy is built; parsing cannot fail here.
    private static SmsCodeKeyTemplate Parse(string template, string placeholder) =>
        SmsCodeKeyTemplate.TryParse(template, placeholder, out var error) ?? throw new InvalidOperationException(error);

    public bool IsValidMobile(string? mobile)
    {
        if (string.IsNullOrEmpty(mobile))
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
