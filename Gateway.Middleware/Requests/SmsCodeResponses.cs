using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Requests;

/// <summary>
/// The answers the gate writes itself. The 200 and 400 bodies are byte-identical to the legacy Django REST
/// Framework view (UTF-8 characters, no <c>\u</c> escapes, <c>Content-Type: application/json</c>).
/// </summary>
internal static class SmsCodeResponses
{
    private const string JsonContentType = "application/json";

    /// <summary>Every send interval and most waits are at most an hour: those <c>Retry-After</c> values are formatted once.</summary>
    private const long CachedRetryAfterSeconds = 3600;

    private static readonly string?[] RetryAfterValues = new string?[CachedRetryAfterSeconds + 1];









    public static readonly byte[] PathRefused = Body("{\"message\":\"Bad request: the path is not in canonical form.\"}");

    public static readonly byte[] BodyTooLarge = Body("{\"message\":\"Payload too large.\"}");




    public static readonly byte[] PolicyMissing = Body("{\"message\":\"The SMS code gate is not configured for this route.\"}");

    /// <summary>The 405 body for a route that accepts <paramref name="allowedMethods"/> (already upper case, comma-separated).</summary>
    public static byte[] MethodNotAllowed(string allowedMethods) =>
        Body($"{{\"message\":\"Method not allowed: this route accepts {allowedMethods}.\"}}");

    public static Task WriteAsync(HttpResponse response, int statusCode, byte[] body, string contentType = JsonContentType)
    {
        response.StatusCode = statusCode;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, 0, body.Length);
    }

    /// <summary>The <c>Retry-After</c> header value for <paramref name="seconds"/>.</summary>
    public static string RetryAfter(long seconds)
    {
        if (seconds is < 0 or > CachedRetryAfterSeconds)
        {
            return seconds.ToString(CultureInfo.InvariantCulture);
        }

        // A race formats the same value twice; either string is right.
        return RetryAfterValues[seconds] ??= seconds.ToString(CultureInfo.InvariantCulture);
    }

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);
}
