using System.Net.Http.Headers;
using System.Text.Encodings.Web;

namespace Gateway.Middleware.Send;

/// <summary>
/// How a value put into a provider body template is encoded, by the body's content type: percent-encoded in a form,
/// JSON-escaped in JSON, entity-escaped in XML, as it is in plain text. Other content types have no escaping the gate
/// knows; a template that puts a value from the request (the mobile) into such a body is refused at start-up.
/// </summary>
/// <remarks>
/// The escaping assumes the placeholder stands where text goes: inside a JSON string, in XML element text or a quoted
/// attribute. Placed elsewhere (a bare JSON value, a CDATA section) it protects nothing; the mobile's own form (digits
/// with an optional leading '+') is what keeps it harmless there.
/// </remarks>
internal enum ProviderBodyEncoding
{
    /// <summary>A content type the gate cannot escape for: only the gate's own digits (code, minutes) may go in.</summary>
    Unknown,

    /// <summary><c>application/x-www-form-urlencoded</c>: percent-encoding.</summary>
    Form,

    /// <summary><c>application/json</c>, <c>text/json</c> and <c>*/*+json</c>: JSON string escaping.</summary>
    Json,

    /// <summary><c>application/xml</c>, <c>text/xml</c> and <c>*/*+xml</c>: <c>&amp;lt;</c>, <c>&amp;amp;</c>, quotes.</summary>
    Xml,

    /// <summary><c>text/plain</c>: no structure to break out of; the value as it is.</summary>
    Text,
}

/// <summary>Finds a content type's <see cref="ProviderBodyEncoding"/> and encodes values with it.</summary>
internal static class ProviderBodyEncodings
{
    public static ProviderBodyEncoding Of(MediaTypeHeaderValue? contentType)
    {
        var mediaType = contentType?.MediaType ?? string.Empty;
        return mediaType.ToLowerInvariant() switch
        {
            "application/x-www-form-urlencoded" => ProviderBodyEncoding.Form,
            "application/json" or "text/json" => ProviderBodyEncoding.Json,
            var json when json.Contains('/', StringComparison.Ordinal) && json.EndsWith("+json", StringComparison.Ordinal) => ProviderBodyEncoding.Json,
            "application/xml" or "text/xml" => ProviderBodyEncoding.Xml,
            var xml when xml.Contains('/', StringComparison.Ordinal) && xml.EndsWith("+xml", StringComparison.Ordinal) => ProviderBodyEncoding.Xml,
            "text/plain" => ProviderBodyEncoding.Text,
            _ => ProviderBodyEncoding.Unknown,
        };
    }

    public static string Encode(ProviderBodyEncoding encoding, string value) => encoding switch
    {
        ProviderBodyEncoding.Form => Uri.EscapeDataString(value),
        ProviderBodyEncoding.Json => JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(value),
        ProviderBodyEncoding.Xml => System.Security.SecurityElement.Escape(value),
        _ => value,
    };
}
