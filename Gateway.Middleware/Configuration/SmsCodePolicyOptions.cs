namespace Gateway.Middleware.Configuration;

/// <summary>
/// One gate policy, bound from <c>SmsCodeGate:Policies:&lt;name&gt;</c>. The defaults reproduce the legacy
/// Django view: keys <c>send_flag_&lt;mobile&gt;</c> and <c>sms_&lt;mobile&gt;</c> in Redis database 2.
/// </summary>
public sealed class SmsCodePolicyOptions
{
    /// <summary>The default <see cref="MobilePattern"/>: the legacy app's URL pattern for mainland China mobiles.</summary>
    public const string DefaultMobilePattern = @"^1[3-9]\d{9}$";

    /// <summary>The placeholder that key templates replace with the mobile.</summary>
    public const string MobilePlaceholder = "{mobile}";

    /// <summary>A regular expression the <c>mobile</c> route value must match; otherwise 404. Default <see cref="DefaultMobilePattern"/>.</summary>
    public string MobilePattern { get; set; } = DefaultMobilePattern;

    /// <summary>How long a mobile is refused after a code was sent (the send flag's TTL). Default 60 s.</summary>
    public TimeSpan SendInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the stored code stays valid (the code key's TTL). Default 300 s.</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>How many digits a code has, zero-padded. Default 6; 4 to 10.</summary>
    public int CodeLength { get; set; } = 6;

    /// <summary>The Redis database that holds the keys. Default 2, the legacy <c>verify_codes</c> cache.</summary>
    public int Database { get; set; } = 2;

    /// <summary>
    /// The send flag's key template. Default <c>send_flag_{mobile}</c>. <c>{mobile}</c> is replaced by the mobile;
    /// <c>{{</c> and <c>}}</c> stand for literal braces, so <c>send_flag_{{{mobile}}}</c> gives a Redis Cluster hash tag.
    /// </summary>
    public string SendFlagKey { get; set; } = "send_flag_" + MobilePlaceholder;

    /// <summary>The code's key template. Default <c>sms_{mobile}</c>; same syntax as <see cref="SendFlagKey"/>.</summary>
    public string CodeKey { get; set; } = "sms_" + MobilePlaceholder;

    /// <summary>The request header that carries the code to the SMS provider. Default <c>X-Sms-Code</c>.</summary>
    public string CodeHeader { get; set; } = "X-Sms-Code";

    /// <summary>
    /// When true, a 2xx answer of the provider (status, headers and body) is passed to the client instead of the
    /// legacy <c>{"message":"ok"}</c>. Off by default: a provider that echoes the code would hand it to the caller.
    /// </summary>
    public bool PassProviderResponse { get; set; }
}
