using System.Text;
using System.Text.Json;
using Gateway.Middleware.Policies;
using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Requests;

/// <summary>What reading a value from a request gave.</summary>
internal enum RequestValueOutcome
{
    Found,

    /// <summary>Absent, empty, or not a string or integer.</summary>
    Missing,

    /// <summary>Given more than once: the gate and the app behind it might read different ones.</summary>
    Ambiguous,

    /// <summary>The body is over the policy's limit.</summary>
    TooLarge,

    /// <summary>The request declares a charset other than UTF-8 or US-ASCII, or its body is not UTF-8 (or starts with a BOM).</summary>
    UnsupportedCharset,

    /// <summary>
    /// The <c>Content-Type</c> cannot be read exactly as the app reads it (given twice, a wildcard, does not parse), or
    /// is not one the source reads a value from (multipart, text...), or the body is encoded (<c>Content-Encoding</c>).
    /// </summary>
    UnsupportedMediaType,
}

internal readonly record struct RequestValue(RequestValueOutcome Outcome, string? Value)
{
    public static RequestValue Missing => new(RequestValueOutcome.Missing, null);
}

/// <summary>
/// Reads a value (the mobile, a code guess) where a policy says it is. A body is read at most once per request,
/// up to the policy's limit, into a buffer that is rewound so that YARP can still forward it. A value given twice
/// is ambiguous, never "the first one": Django takes the last of repeated form fields, and a JSON parser the last of
/// repeated properties, so the gate would count attempts against another mobile than the app checks.
/// </summary>
internal static class RequestValueReader
{
    public static async ValueTask<RequestValue> ReadAsync(HttpContext context, RequestValueSource source, int maxBodyBytes)
    {
        var request = context.Request;
        switch (source.Location)
        {
            case RequestValueLocation.Route:
                return request.RouteValues[source.Name] is string { Length: > 0 } routeValue ? new(RequestValueOutcome.Found, routeValue) : RequestValue.Missing;
            case RequestValueLocation.Query:
                // Django decodes the query with the Content-Type's charset too.
                return RequestContentType.Read(request) switch
                {
                    RequestMediaKind.UnsupportedCharset => new(RequestValueOutcome.UnsupportedCharset, null),
                    RequestMediaKind.Unparsable => new(RequestValueOutcome.UnsupportedMediaType, null),
                    _ => UrlEncodedFields.Find(QueryOf(request), source.Name),
                };
            case RequestValueLocation.Header:
                return FromHeader(request.Headers, source.Name);
        }

        var kind = RequestContentType.Read(request);
        if (kind == RequestMediaKind.UnsupportedCharset)
        {
            return new(RequestValueOutcome.UnsupportedCharset, null);
        }

        var readable = kind == RequestMediaKind.Form ? source.Location is RequestValueLocation.Form or RequestValueLocation.Body
            : kind == RequestMediaKind.Json && source.Location is RequestValueLocation.Json or RequestValueLocation.Body;
        if (!readable || !IsIdentityEncoded(request))
        {
            return new(RequestValueOutcome.UnsupportedMediaType, null);
        }

        var body = await BufferedRequestBody.ReadAsync(context, maxBodyBytes).ConfigureAwait(false);
        if (body.IsTooLarge)
        {
            return new(RequestValueOutcome.TooLarge, null);
        }

        if (!System.Text.Unicode.Utf8.IsValid(body.Bytes) || body.Bytes.AsSpan().StartsWith(Utf8Bom))
        {
            // Python decodes a body that is not UTF-8 another way (a form as Latin-1) or refuses it (JSON, a BOM).
            return new(RequestValueOutcome.UnsupportedCharset, null);
        }

        // The app gets what the gate read, stated so that it cannot decode it another way.
        request.Headers.ContentType = kind == RequestMediaKind.Form ? RequestContentType.CanonicalForm : RequestContentType.CanonicalJson;
        return kind == RequestMediaKind.Form ? UrlEncodedFields.Find(Encoding.UTF8.GetString(body.Bytes), source.Name) : FromJson(body.Bytes, source.Name);
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The raw query without its <c>?</c>, as gunicorn passes it in <c>QUERY_STRING</c>.</summary>
    private static ReadOnlySpan<char> QueryOf(HttpRequest request) =>
        request.QueryString.Value is { Length: > 0 } query ? query.AsSpan(1) : [];

    private static bool IsIdentityEncoded(HttpRequest request) =>
        request.Headers.ContentEncoding is var encoding
        && (encoding.Count == 0 || (encoding.Count == 1 && string.Equals(encoding[0], "identity", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// One header value. WSGI names <c>X-Mobile</c> and <c>X_Mobile</c> alike (and joins them): a spelling with an
    /// underscore beside the one the gate reads makes the value ambiguous.
    /// </summary>
    private static RequestValue FromHeader(IHeaderDictionary headers, string name)
    {
        foreach (var header in headers)
        {
            if (header.Key.Contains('_') && !header.Key.Equals(name, StringComparison.OrdinalIgnoreCase)
                && header.Key.Replace('_', '-').Equals(name.Replace('_', '-'), StringComparison.OrdinalIgnoreCase))
            {
                return new(RequestValueOutcome.Ambiguous, null);
            }
        }

        return Single(headers[name]);
    }

    private static RequestValue Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count switch
    {
        0 => RequestValue.Missing,
        1 when !string.IsNullOrEmpty(values[0]) => new(RequestValueOutcome.Found, values[0]),
        1 => RequestValue.Missing,
        _ => new(RequestValueOutcome.Ambiguous, null),
    };

    private static RequestValue FromJson(byte[] body, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var element = document.RootElement;
            foreach (var name in path.Split('.'))
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    return RequestValue.Missing;
                }

                var matches = 0;
                foreach (var property in element.EnumerateObject())
                {
                    if (property.NameEquals(name))
                    {
                        matches++;
                        element = property.Value;
                    }
                }

                if (matches != 1)
                {
                    return matches == 0 ? RequestValue.Missing : new(RequestValueOutcome.Ambiguous, null);
                }
            }

            return element.ValueKind switch
            {
                JsonValueKind.String when element.GetString() is { Length: > 0 } text => new(RequestValueOutcome.Found, text),
                JsonValueKind.Number when element.GetRawText() is var raw && raw.All(char.IsAsciiDigit) => new(RequestValueOutcome.Found, raw),
                _ => RequestValue.Missing,
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that is not valid UTF-16 (a lone surrogate escape): no value the app could match.
            return RequestValue.Missing;
        }
    }
}
