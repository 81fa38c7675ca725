using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Gateway.Middleware.Policies;
using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Requests;

/// <summary>
/// One compiled answer: status, content type, and a body that is either fixed bytes (the defaults, and any template
/// without a placeholder, written as they are like the legacy constants) or a template filled in per request.
/// </summary>
internal sealed class SmsCodeAnswer
{
    public static readonly string[] Placeholders = SmsCodeAnswerOptions.Placeholders;

    private const string JsonContentType = "application/json";
    private readonly byte[]? _fixedBody;
    private readonly TextTemplate? _template;
    private readonly string _message;

    private SmsCodeAnswer(int status, string contentType, byte[]? fixedBody, TextTemplate? template, string message)
    {
        Status = status;
        ContentType = contentType;
        _fixedBody = fixedBody;
        _template = template;
        _message = message;
    }

    public int Status { get; }

    public string ContentType { get; }

    /// <summary>The default answer: <c>{"message":"..."}</c> as JSON with UTF-8 characters unescaped, as the legacy view writes it.</summary>
    public static SmsCodeAnswer Default(int status, string message) =>
        new(status, JsonContentType, Encoding.UTF8.GetBytes("{\"message\":\"" + JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(message) + "\"}"), null, message);

    /// <summary>The default with what <paramref name="options"/> sets on top; the validator has accepted the template.</summary>
    public static SmsCodeAnswer From(SmsCodeAnswer fallback, SmsCodeAnswerOptions options)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        ArgumentNullException.ThrowIfNull(options);
        var status = options.Status ?? fallback.Status;
        var contentType = string.IsNullOrWhiteSpace(options.ContentType) ? fallback.ContentType : options.ContentType;
        if (options.Body is null)
        {
            return new SmsCodeAnswer(status, contentType, fallback._fixedBody, fallback._template, fallback._message);
        }

        var template = TextTemplate.TryParse(options.Body, Placeholders, out var error) ?? throw new InvalidOperationException(error);
        var fixedBody = template.FixedText is { } text ? Encoding.UTF8.GetBytes(text) : null;
        return new SmsCodeAnswer(status, contentType, fixedBody, template, fallback._message);
    }

    public Task WriteAsync(HttpResponse response, long retryAfterSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(response);
        return SmsCodeResponses.WriteAsync(response, Status, _fixedBody ?? Render(retryAfterSeconds), ContentType);
    }

    private byte[] Render(long retryAfterSeconds)
    {
        var isJson = ContentType.Contains("json", StringComparison.OrdinalIgnoreCase);
        return Encoding.UTF8.GetBytes(_template!.Render((this, retryAfterSeconds, isJson), static (state, placeholder) => placeholder switch
        {
            SmsCodeAnswerOptions.RetryAfterPlaceholder => state.retryAfterSeconds.ToString(CultureInfo.InvariantCulture),
            _ => state.isJson ? JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(state.Item1._message) : state.Item1._message,
        }));
    }
}
