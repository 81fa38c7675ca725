using System.Text.RegularExpressions;

namespace Gateway.Middleware.Configuration;

/// <summary>A validated policy, ready for the hot path: compiled pattern, parsed key templates, TTLs in milliseconds.</summary>
internal sealed class SmsCodePolicy
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public SmsCodePolicy(string name, SmsCodePolicyOptions options, SmsCodeKeyTemplate sendFlagKey, SmsCodeKeyTemplate codeKey)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        MobilePattern = new Regex(options.MobilePattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout);
        SendFlagKey = sendFlagKey;
        CodeKey = codeKey;
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

    public long SendIntervalMilliseconds { get; }

    public long CodeLifetimeMilliseconds { get; }

    public int CodeLength { get; }

    public int Database { get; }

    public string CodeHeader { get; }

    public bool PassProviderResponse { get; }

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
