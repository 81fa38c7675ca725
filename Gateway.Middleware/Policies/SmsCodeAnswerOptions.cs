namespace Gateway.Middleware.Policies;

/// <summary>
/// One answer of a policy, bound from <c>SmsCodeGate:Policies:&lt;name&gt;:Answers:&lt;kind&gt;</c>. Unset members keep the
/// default (the legacy bytes for <see cref="SmsCodeAnswerKind.Sent"/> and <see cref="SmsCodeAnswerKind.Refused"/>).
/// </summary>
public sealed class SmsCodeAnswerOptions
{
    /// <summary>The placeholder for the seconds until the client may try again (the <c>Retry-After</c> value, 0 when none).</summary>
    public const string RetryAfterPlaceholder = "{retryAfter}";

    /// <summary>The placeholder for the gate's own message for this answer, escaped for the content type.</summary>
    public const string MessagePlaceholder = "{message}";

    /// <summary>The placeholders an answer's body may hold.</summary>
    internal static readonly string[] Placeholders = [RetryAfterPlaceholder, MessagePlaceholder];

    /// <summary>The HTTP status, 200 to 599.</summary>
    public int? Status { get; set; }

    /// <summary>
    /// The body, a template written as the raw text of the body: <c>{retryAfter}</c> and <c>{message}</c> are filled in,
    /// <c>{{</c> and <c>}}</c> are literal braces, e.g. <c>{{"code":4001,"errmsg":"{message}"}}</c>.
    /// </summary>
    public string? Body { get; set; }

    /// <summary>The <c>Content-Type</c>. Default <c>application/json</c>.</summary>
    public string? ContentType { get; set; }
}
