using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Middleware.Configuration;

namespace Gateway.Middleware.Transforms;

/// <summary>
/// A policy's compiled <c>Provider</c>: the method, path and body templates with what each placeholder's value is
/// encoded as, the static headers, and the success test of a 2xx answer.
/// </summary>
internal sealed class SmsCodeProviderRequest
{
    public const string MobilePlaceholder = "{mobile}";
    public const string CodePlaceholder = "{code}";
    public const string MinutesPlaceholder = "{minutes}";
    public static readonly string[] Placeholders = [MobilePlaceholder, CodePlaceholder, MinutesPlaceholder];

    private readonly TextTemplate? _path;
    private readonly TextTemplate? _body;
    private readonly ProviderBodyEncoding _encoding;
    private readonly string[]? _successPath;
    private readonly string? _successValue;

    public SmsCodeProviderRequest(SmsCodeProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Method = string.IsNullOrWhiteSpace(options.Method) ? null : new HttpMethod(options.Method.ToUpperInvariant());
        _path = Parse(options.Path);
        _body = Parse(options.Body);
        ContentType = string.IsNullOrWhiteSpace(options.ContentType) ? null : MediaTypeHeaderValue.Parse(options.ContentType);
        _encoding = ProviderBodyEncodings.Of(ContentType);
        Headers = [.. options.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value))];
        _successPath = options.SuccessWhen?.Property?.Split('.');
        _successValue = options.SuccessWhen?.Value;
    }

    public HttpMethod? Method { get; }

    public MediaTypeHeaderValue? ContentType { get; }

    public bool HasPath => _path is not null;

    public bool HasBody => _body is not null;

    public KeyValuePair<string, string>[] Headers { get; }

    public bool ChecksSuccess => _successPath is not null;

    /// <summary>True when the path or body template carries the code; otherwise it still goes in the code header.</summary>
    public bool CarriesCode => _path?.Uses(CodePlaceholder) == true || _body?.Uses(CodePlaceholder) == true;

    public string Path(string mobile, string code, long lifetimeMilliseconds) =>
        _path!.Render((mobile, code, lifetimeMilliseconds), static (s, p) => Uri.EscapeDataString(ValueOf(s, p)));

    public byte[] Body(string mobile, string code, long lifetimeMilliseconds) =>
        Encoding.UTF8.GetBytes(_body!.Render((mobile, code, lifetimeMilliseconds, _encoding), static (s, p) =>
        {
            return ProviderBodyEncodings.Encode(s._encoding, ValueOf((s.mobile, s.code, s.lifetimeMilliseconds), p));
        }));

    /// <summary>True when the 2xx answer's JSON has the success property with the success value.</summary>
    public bool IsSuccess(ReadOnlySpan<byte> answer)
    {
        try
        {
            var reader = new Utf8JsonReader(answer);
            using var document = JsonDocument.ParseValue(ref reader);
            var element = document.RootElement;
            foreach (var name in _successPath!)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                {
                    return false;
                }
            }

            var text = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
            return string.Equals(text, _successValue, StringComparison.Ordinal);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Checks a policy's <c>Provider</c>; each failure names its key.</summary>
    public static IEnumerable<string> Validate(string key, SmsCodeProviderOptions options)
    {
        if (options.Method is { } method && (string.IsNullOrWhiteSpace(method) || !method.All(char.IsAsciiLetter)))
        {
            yield return $"{key}:{nameof(options.Method)} must be an HTTP method such as POST (was '{method}').";
        }

        if (options.Path is { } path && (!path.StartsWith('/') || TextTemplate.TryParse(path, Placeholders, out _) is null))
        {
            TextTemplate.TryParse(path, Placeholders, out var error);
            yield return $"{key}:{nameof(options.Path)} must start with '/'{(error is null ? "" : " and " + error)} (was '{path}').";
        }

        if (options.Body is { } body && TextTemplate.TryParse(body, Placeholders, out var bodyError) is null)
        {
            yield return $"{key}:{nameof(options.Body)} {bodyError}.";
        }

        if (options.Body is not null && string.IsNullOrWhiteSpace(options.ContentType))
        {
            yield return $"{key}:{nameof(options.ContentType)} must be set when {nameof(options.Body)} is.";
        }

        MediaTypeHeaderValue? parsed = null;
        if (options.ContentType is { } contentType && !MediaTypeHeaderValue.TryParse(contentType, out parsed))
        {
            yield return $"{key}:{nameof(options.ContentType)} is not a media type (was '{contentType}').";
        }
        else if (parsed is not null && options.Body is { } text && TextTemplate.TryParse(text, Placeholders, out _)?.Uses(MobilePlaceholder) == true
            && ProviderBodyEncodings.Of(parsed) == ProviderBodyEncoding.Unknown)
        {
            // {mobile} comes from the request; {code} and {minutes} are the gate's own digits and need no escaping.
            yield return $"{key}:{nameof(options.ContentType)} is '{options.ContentType}', which the gate cannot escape {MobilePlaceholder} for; "
                + "with the mobile in the body use a form, JSON, XML or text/plain content type.";
        }

        if (options.SuccessWhen is { } success && (string.IsNullOrWhiteSpace(success.Property) || success.Value is null || success.Property.Split('.').Any(string.IsNullOrEmpty)))
        {
            yield return $"{key}:{nameof(options.SuccessWhen)} needs a {nameof(success.Property)} (a dotted JSON path) and a {nameof(success.Value)}.";
        }
    }

    private static TextTemplate? Parse(string? template) =>
        template is null ? null : TextTemplate.TryParse(template, Placeholders, out var error) ?? throw new InvalidOperationException(error);

    private static string ValueOf((string Mobile, string Code, long LifetimeMilliseconds) values, string placeholder) => placeholder switch
    {
        MobilePlaceholder => values.Mobile,
        CodePlaceholder => values.Code,
        _ => ((values.LifetimeMilliseconds + 59_999) / 60_000).ToString(CultureInfo.InvariantCulture),
    };
}
