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

    /// <summary>The placeholder that <see cref="IpCounterKey"/> replaces with the client IP.</summary>
    public const string IpPlaceholder = "{ip}";

    /// <summary>The placeholder that <see cref="SpendCounterKey"/> replaces with the policy's name.</summary>
    public const string PolicyPlaceholder = "{policy}";

    /// <summary>
    /// A regular expression the whole <c>mobile</c> route value must match; otherwise 404. Default <see cref="DefaultMobilePattern"/>.
    /// It is applied as <c>\A(?:pattern)\z</c>, after a check that the value is printable ASCII of at most 32 characters,
    /// so <c>\d</c> means 0-9 and <c>$</c> cannot match before a trailing newline, whatever the pattern says.
    /// </summary>
    public string MobilePattern { get; set; } = DefaultMobilePattern;

    /// <summary>
    /// The country calling code (<c>"86"</c>, <c>"1"</c>, digits without <c>+</c>) that a national mobile belongs to, for the
    /// number rules: <c>13800138000</c> reads as <c>+8613800138000</c>. A mobile that starts with <c>+</c> is read as
    /// E.164 whatever it says. Empty (the default): mobiles are not read as numbers, unless <see cref="Numbers"/> has
    /// rules, when only E.164 mobiles can be read. The keys keep the mobile as the app sent it.
    /// </summary>
    public string CountryCode { get; set; } = string.Empty;

    /// <summary>The number rules: allowed regions, denied prefixes and types, and their mode. Off unless a list is set.</summary>
    public SmsCodeNumbersOptions Numbers { get; } = new();

    /// <summary>
    /// Number blocks against SMS pumping: caps per block, and the conversion guard that blocks a block whose codes are
    /// sent but not verified. Off unless <c>Blocks:PrefixLength</c> is set (see docs/blocks.md).
    /// </summary>
    public SmsCodeBlockOptions Blocks { get; } = new();

    /// <summary>The default <see cref="MobileFrom"/>: the route value <c>mobile</c>.</summary>
    public const string DefaultMobileFrom = "Route:mobile";

    /// <summary>
    /// Where the mobile comes from: <c>Route:mobile</c> (the default), <c>Query:&lt;name&gt;</c>, <c>Header:&lt;name&gt;</c>,
    /// <c>Form:&lt;field&gt;</c>, <c>Json:&lt;property.path&gt;</c>, or <c>Body:&lt;field&gt;</c> (a form field or a JSON
    /// property, as the request's <c>Content-Type</c> says). Missing, empty or given twice: an invalid mobile.
    /// </summary>
    public string MobileFrom { get; set; } = DefaultMobileFrom;

    /// <summary>The largest request body the gate reads for <see cref="MobileFrom"/> or <see cref="CodeFrom"/>, in bytes; over it, 413. Default 8192.</summary>
    public int MaxBodySize { get; set; } = 8192;

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

    /// <summary>
    /// The code state's key template: a hash written with the code that holds the issuing request's nonce, so that a
    /// revoke deletes only its own request's flag and code. Default <c>sms_state_{mobile}</c>; same syntax as <see cref="SendFlagKey"/>.
    /// </summary>
    public string CodeStateKey { get; set; } = "sms_state_" + MobilePlaceholder;

    /// <summary>The request header that carries the code to the SMS provider. Default <c>X-Sms-Code</c>.</summary>
    public string CodeHeader { get; set; } = "X-Sms-Code";

    /// <summary>
    /// Client request headers passed on to the SMS provider, by name. Empty by default: the provider is a third party,
    /// and gets no client cookie, credential, query string, body or forwarded-for header, only the route's path and
    /// the code. <see cref="CodeHeader"/> cannot be listed.
    /// </summary>
    public IList<string> ProviderRequestHeaders { get; } = [];

    /// <summary>
    /// When true, a 2xx answer of the provider (status, headers and body) is passed to the client instead of the
    /// legacy <c>{"message":"ok"}</c>. Off by default: a provider that echoes the code would hand it to the caller.
    /// </summary>
    public bool PassProviderResponse { get; set; }

    /// <summary>
    /// Sends per mobile per hour; 0 (the default) is off. Counted in a window that starts at the first send,
    /// in the same script as the send flag. A refusal answers 400 with the legacy body.
    /// </summary>
    public int MaxPerHour { get; set; }

    /// <summary>Sends per mobile per day (a 24-hour window from the first send); 0 (the default) is off.</summary>
    public int MaxPerDay { get; set; }

    /// <summary>
    /// Sends per client IP per hour, counted in Redis so that the cap holds across instances; 0 (the default) is off.
    /// The client IP honours forwarded headers only from the configured known proxies.
    /// </summary>
    public int MaxPerIpPerHour { get; set; }

    /// <summary>
    /// The spend guard: SMS forwarded per minute for this policy across all instances; 0 (the default) is off.
    /// When reached, requests are answered 503 and a warning is logged.
    /// </summary>
    public int MaxSendsPerMinute { get; set; }

    /// <summary>
    /// Verification attempts allowed per issued code, on a verify route or the verify endpoint; the next one deletes
    /// the code and is answered 429. Counted atomically across instances. Default 5; 0 is off.
    /// </summary>
    public int MaxVerifyAttempts { get; set; } = 5;

    /// <summary>
    /// Failed verification attempts allowed per mobile per day, across codes, so that a resend does not reset the
    /// count; over it, 429. Default 0 (off).
    /// </summary>
    public int MaxVerifyFailuresPerDay { get; set; }

    /// <summary>
    /// What a legacy app's answer to a verify attempt must be to mean the code was right: a 2xx status, and optionally
    /// a JSON property with its value, as <c>Provider:SuccessWhen</c>, e.g. <c>{ "Status": 200, "Property": "ok", "Value": "true" }</c>.
    /// Such an answer uses the code up; any other lets go of it. Unset (the default): any 2xx. The answer reaches the
    /// client unchanged; the gate reads at most its first 64 KB to test it, and a longer body is not a success.
    /// </summary>
    public SmsCodeProviderSuccessOptions? VerifySuccessWhen { get; set; }

    /// <summary>
    /// How long a legacy verify route's attempt may be at the app. The attempt holds the code meanwhile, so that a
    /// concurrent attempt at it is refused (<c>AttemptInFlight</c>); past this time the gate gives up on the app's
    /// answer (504) and lets go. The hold is stored with a deadline 5 s beyond it, on Redis's clock, so that a
    /// crashed gateway's hold lapses by itself. Default 10 s.
    /// </summary>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The daily failed-attempts counter's key template. Default <c>sms_verify_fail_day_{mobile}</c>.</summary>
    public string VerifyFailureCounterKey { get; set; } = "sms_verify_fail_day_" + MobilePlaceholder;

    /// <summary>Where the gate's own verify endpoint reads the code from; same syntax as <see cref="MobileFrom"/>. Default <c>Body:code</c>.</summary>
    public string CodeFrom { get; set; } = "Body:code";

    /// <summary>
    /// The answers the gate writes, by <see cref="SmsCodeAnswerKind"/> name (<c>Sent</c>, <c>Refused</c>, <c>InvalidMobile</c>,
    /// ...), each a status, a body template and a content type over the default. Empty: the legacy bodies.
    /// </summary>
    public IDictionary<string, SmsCodeAnswerOptions> Answers { get; } = new Dictionary<string, SmsCodeAnswerOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The request to the SMS provider: method, path, content type, body and static headers. Unset: the route's own
    /// request (the path from its transforms) with the code in <see cref="CodeHeader"/>.
    /// </summary>
    public SmsCodeProviderOptions? Provider { get; set; }

    /// <summary>The hourly per-mobile counter's key template. Default <c>sms_hour_{mobile}</c>.</summary>
    public string HourCounterKey { get; set; } = "sms_hour_" + MobilePlaceholder;

    /// <summary>The daily per-mobile counter's key template. Default <c>sms_day_{mobile}</c>.</summary>
    public string DayCounterKey { get; set; } = "sms_day_" + MobilePlaceholder;

    /// <summary>The hourly per-IP counter's key template, with the <c>{ip}</c> placeholder. Default <c>sms_ip_hour_{ip}</c>.</summary>
    public string IpCounterKey { get; set; } = "sms_ip_hour_" + IpPlaceholder;

    /// <summary>The spend guard's per-minute counter key template, with the <c>{policy}</c> placeholder. Default <c>sms_spend_{policy}</c>.</summary>
    public string SpendCounterKey { get; set; } = "sms_spend_" + PolicyPlaceholder;

    /// <summary>
    /// The audit trail: a Redis Stream that the issue script appends one entry to per send request (policy, masked
    /// mobile, outcome; never the code or the whole mobile), capped at about 100,000 entries. Empty (the default) is
    /// off. A plain key, one per policy. Redis store only (the in-process store keeps no trail), and not on Redis
    /// Cluster, where the stream cannot share the mobile's hash slot.
    /// </summary>
    public string AuditStreamKey { get; set; } = string.Empty;
}
