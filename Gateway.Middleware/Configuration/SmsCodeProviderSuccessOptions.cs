namespace Gateway.Middleware.Configuration;

/// <summary>What a provider's 2xx JSON answer must hold to count as sent: <c>"SuccessWhen": { "Property": "status", "Value": "queued" }</c>.</summary>
public sealed class SmsCodeProviderSuccessOptions
{
    /// <summary>A property of the JSON answer, as a dotted path such as <c>result.code</c>.</summary>
    public string? Property { get; set; }

    /// <summary>The value that means success, compared as text (a string's value, or a number's or a boolean's JSON text: <c>0</c>, <c>true</c>).</summary>
    public string? Value { get; set; }
}
