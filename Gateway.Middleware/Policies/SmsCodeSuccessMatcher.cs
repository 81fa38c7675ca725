using System.Text.Json;

namespace Gateway.Middleware.Policies;

/// <summary>
/// A compiled <see cref="SmsCodeProviderSuccessOptions"/>: what an answer must be to mean success, for the provider's
/// answer (<c>Provider:SuccessWhen</c>) and a legacy app's verify answer (<c>VerifySuccessWhen</c>) alike.
/// </summary>
internal sealed class SmsCodeSuccessMatcher
{
    private readonly int? _status;
    private readonly string[]? _path;
    private readonly string? _value;

    public SmsCodeSuccessMatcher(SmsCodeProviderSuccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _status = options.Status;
        _path = string.IsNullOrEmpty(options.Property) ? null : options.Property.Split('.');
        _value = options.Value;
    }

    /// <summary>True when the test needs the answer's body, read as JSON.</summary>
    public bool ReadsBody => _path is not null;

    /// <summary>True when the status is the one configured (any 2xx when none is) and the body, if tested, holds the value.</summary>
    public bool IsSuccess(int status, ReadOnlySpan<byte> body) =>
        (_status is { } wanted ? status == wanted : status is >= 200 and < 300) && (_path is null || HoldsValue(body));

    private bool HoldsValue(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var element = document.RootElement;
            foreach (var name in _path!)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                {
                    return false;
                }
            }

            var text = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
            return string.Equals(text, _value, StringComparison.Ordinal);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Checks a <c>SuccessWhen</c> section; each failure names its key.</summary>
    public static IEnumerable<string> Validate(string key, SmsCodeProviderSuccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Status is { } status && status is < 200 or > 299)
        {
            yield return $"{key}:{nameof(options.Status)} must be a 2xx status (was {status}).";
        }

        var hasPath = !string.IsNullOrWhiteSpace(options.Property);
        if (options.Status is null && !hasPath)
        {
            yield return $"{key} needs a {nameof(options.Status)}, or a {nameof(options.Property)} (a dotted JSON path) and a {nameof(options.Value)}.";
        }
        else if ((hasPath && (options.Value is null || options.Property!.Split('.').Any(string.IsNullOrEmpty))) || (!hasPath && options.Value is not null))
        {
            yield return $"{key} needs a {nameof(options.Property)} (a dotted JSON path) and a {nameof(options.Value)} together.";
        }
    }
}
