namespace Gateway.Middleware.Policies;

/// <summary>
/// The request a policy sends to its SMS provider, bound from <c>SmsCodeGate:Policies:&lt;name&gt;:Provider</c>. The
/// templates take <c>{mobile}</c>, <c>{code}</c> and <c>{minutes}</c> (the code's lifetime, rounded up); <c>{{</c> and
/// <c>}}</c> are literal braces. A template is the raw text, written already encoded: only the values put into it are
/// encoded, for where they go (the path percent-encoded; a form body form-encoded; a JSON body JSON-escaped; an XML
/// body entity-escaped; a text/plain body as is). A body of another content type may not use <c>{mobile}</c>.
/// </summary>
public sealed class SmsCodeProviderOptions
{
    internal const string MobilePlaceholder = "{mobile}";
    internal const string CodePlaceholder = "{code}";
    internal const string MinutesPlaceholder = "{minutes}";

    /// <summary>The placeholders the path and body templates may hold.</summary>
    internal static readonly string[] Placeholders = [MobilePlaceholder, CodePlaceholder, MinutesPlaceholder];

    /// <summary>The HTTP method, e.g. <c>POST</c>. Default: the client's.</summary>
    public string? Method { get; set; }

    /// <summary>The path (and query) on the provider's destination, e.g. <c>/2010-04-01/Accounts/AC123/Messages.json</c>. Default: the route's.</summary>
    public string? Path { get; set; }

    /// <summary>
    /// The body's content type, e.g. <c>application/x-www-form-urlencoded</c>, <c>application/json</c>,
    /// <c>application/xml</c> or <c>text/plain</c>: it decides how the values put into <see cref="Body"/> are escaped.
    /// </summary>
    public string? ContentType { get; set; }

    /// <summary>The body template, e.g. <c>To=%2B86{mobile}&amp;Body=Your+code+is+{code}</c>. Unset: no body.</summary>
    public string? Body { get; set; }

    /// <summary>
    /// Static request headers, such as credentials (<c>Authorization: Basic ...</c>). Give secrets through environment
    /// variables (<c>SmsCodeGate__Policies__p__Provider__Headers__Authorization</c>); they are never logged.
    /// </summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// When set, a 2xx answer counts as sent only if its JSON body has <see cref="SmsCodeProviderSuccessOptions.Property"/>
    /// with <see cref="SmsCodeProviderSuccessOptions.Value"/>; anything else is a provider failure and rolls back. For
    /// providers that report a failed send inside a 200.
    /// </summary>
    public SmsCodeProviderSuccessOptions? SuccessWhen { get; set; }
}
