using System.Text;
using System.Text.Json;
using Gateway.Middleware.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Gateway.Middleware.Gate;

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
                return Single(request.Query[source.Name]);
            case RequestValueLocation.Header:
                return Single(request.Headers[source.Name]);
        }

        var body = await BufferedRequestBody.ReadAsync(context, maxBodyBytes).ConfigureAwait(false);
        if (body.IsTooLarge)
        {
            return new(RequestValueOutcome.TooLarge, null);
        }

        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        var isForm = string.Equals(mediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        var isJson = mediaType is not null
            && (string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        return source.Location switch
        {
            RequestValueLocation.Form or RequestValueLocation.Body when isForm => FromForm(body.Bytes, source.Name),
            RequestValueLocation.Json or RequestValueLocation.Body when isJson => FromJson(body.Bytes, source.Name),
            _ => RequestValue.Missing,
        };
    }

    private static RequestValue Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count switch
    {
        0 => RequestValue.Missing,
        1 when !string.IsNullOrEmpty(values[0]) => new(RequestValueOutcome.Found, values[0]),
        1 => RequestValue.Missing,
        _ => new(RequestValueOutcome.Ambiguous, null),
    };

    private static RequestValue FromForm(byte[] body, string field)
    {
        var fields = QueryHelpers.ParseNullableQuery(Encoding.UTF8.GetString(body));
        return fields is not null && fields.TryGetValue(field, out var values) ? Single(values) : RequestValue.Missing;
    }

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
        catch (JsonException)
        {
            return RequestValue.Missing;
        }
    }
}
