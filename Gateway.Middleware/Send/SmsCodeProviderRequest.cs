using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Middleware.Policies;

namespace Gateway.Middleware.Send;

/// <summary>
/// A policy's compiled <c>Provider</c>: the method, path and body templates with what each placeholder's value is
/// encoded as, the static headers, and the success test of a 2xx answer.
/// </summary>
internal sealed class SmsCodeProviderRequest
{
    public const string MobilePlaceholder = SmsCodeProviderOptions.MobilePlaceholder;
    public const string CodePlaceholder = SmsCodeProviderOptions.CodePlaceholder;
    public const string MinutesPlaceholder = SmsCodeProviderOptions.MinutesPlaceholder;
    public static readonly string[] Placeholders = SmsCodeProviderOptions.Placeholders;

    private readonly TextTemplate? _path;
    private readonly TextTemplate? _body;
    private readonly ProviderBodyEncoding _encoding;

    public SmsCodeProviderRequest(SmsCodeProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Method = string.IsNullOrWhiteSpace(options.Method) ? null : new HttpMethod(options.Method.ToUpperInvariant());
        _path = Parse(options.Path);
        _body = Parse(options.Body);
        ContentType = string.IsNullOrWhiteSpace(options.ContentType) ? null : MediaTypeHeaderValue.Parse(options.ContentType);
        _encoding = ProviderBodyEncodings.Of(ContentType);
        Headers = [.. options.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value))];
        SuccessWhen = options.SuccessWhen is null ? null : new SmsCodeSuccessMatcher(options.SuccessWhen);
    }

    public HttpMethod? Method { get; }

    public MediaTypeHeaderValue? ContentType { get; }

    public bool HasPath => _path is not null;

    public bool HasBody => _body is not null;

    public KeyValuePair<string, string>[] Headers { get; }

    /// <summary>What a 2xx answer must also be to count as sent; null: any 2xx.</summary>
    public SmsCodeSuccessMatcher? SuccessWhen { get; }

    /// <summary>True when the path or body template carries the mobile, so that the provider learns where to send.</summary>
    public bool UsesMobile => _path?.Uses(MobilePlaceholder) == true || _body?.Uses(MobilePlaceholder) == true;

    /// <summary>True when the path or body template carries the code; otherwise it still goes in the code header.</summary>
    public bool CarriesCode => _path?.Uses(CodePlaceholder) == true || _body?.Uses(CodePlaceholder) == true;

    public string Path(string mobile, string code, long lifetimeMilliseconds) =>
        _path!.Render((mobile, code, lifetimeMilliseconds), static (s, p) => Uri.EscapeDataString(ValueOf(s, p)));

    public byte[] Body(string mobile, string code, long lifetimeMilliseconds) =>
        Encoding.UTF8.GetBytes(_body!.Render((mobile, code, lifetimeMilliseconds, _encoding), static (s, p) =>
        {
            return ProviderBodyEncodings.Encode(s._encoding, ValueOf((s.mobile, s.code, s.lifetimeMilliseconds), p));
        }));

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

        foreach (var (header, value) in options.Headers)
        {
            if (Placeholders.Any(p => value.Contains(p, StringComparison.OrdinalIgnoreCase)))
            {
                yield return $"{key}:{nameof(options.Headers)}:{header} is sent as written (header values are not templates, so a placeholder would reach the provider as its own text); put {MobilePlaceholder} and {CodePlaceholder} in {nameof(options.Path)} or {nameof(options.Body)}.";
            }
        }

        if (options.SuccessWhen is { } success)
        {
            foreach (var failure in SmsCodeSuccessMatcher.Validate($"{key}:{nameof(options.SuccessWhen)}", success))
            {
                yield return failure;
            }
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
