namespace Gateway.Middleware.Policies;

/// <summary>
/// What an answer must be to mean success: <c>"SuccessWhen": { "Status": 200, "Property": "status", "Value": "queued" }</c>.
/// Used for the provider's answer (<c>Provider:SuccessWhen</c>) and a legacy app's verify answer (<c>VerifySuccessWhen</c>).
/// A status, a property with its value, or both.
/// </summary>
public sealed class SmsCodeProviderSuccessOptions
{
    /// <summary>The status that means success, a 2xx. Unset: any 2xx.</summary>
    public int? Status { get; set; }

    /// <summary>A property of the JSON answer, as a dotted path such as <c>result.code</c>. Unset: the body is not read.</summary>
    public string? Property { get; set; }

    /// <summary>The value that means success, compared as text (a string's value, or a number's or a boolean's JSON text: <c>0</c>, <c>true</c>).</summary>
    public string? Value { get; set; }
}
