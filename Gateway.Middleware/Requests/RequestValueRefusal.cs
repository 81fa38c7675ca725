using System.Text;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Requests;

/// <summary>
/// The gate's answer to a request whose value it would not read: a body over the limit (413), or a body or query it
/// cannot read exactly as the app will (415). Such a request's outcome is recorded and it is answered here, never forwarded.
/// </summary>
internal static class RequestValueRefusal
{
    private static readonly byte[] UnsupportedCharsetBody =
        Encoding.UTF8.GetBytes("{\"message\":\"Unsupported charset: send the request as UTF-8.\"}");

    private static readonly byte[] UnsupportedMediaTypeBody =
        Encoding.UTF8.GetBytes("{\"message\":\"Unsupported media type: send one Content-Type, application/x-www-form-urlencoded or application/json, without Content-Encoding.\"}");

    /// <summary>True when <paramref name="outcome"/> is answered here rather than as a missing or invalid value.</summary>
    public static bool IsRefusal(RequestValueOutcome outcome) =>
        outcome is RequestValueOutcome.TooLarge or RequestValueOutcome.UnsupportedCharset or RequestValueOutcome.UnsupportedMediaType;

    /// <summary>Records the outcome of, and writes the answer to, <paramref name="outcome"/>, one for which <see cref="IsRefusal"/> is true.</summary>
    public static Task WriteAsync(SmsCodeGateContext gate, RequestValueOutcome outcome)
    {
        var (status, result, body) = outcome switch
        {
            RequestValueOutcome.TooLarge => (StatusCodes.Status413PayloadTooLarge, SmsCodeGateResults.BodyTooLarge, SmsCodeResponses.BodyTooLarge),
            RequestValueOutcome.UnsupportedCharset => (StatusCodes.Status415UnsupportedMediaType, SmsCodeGateResults.UnsupportedCharset, UnsupportedCharsetBody),
            _ => (StatusCodes.Status415UnsupportedMediaType, SmsCodeGateResults.UnsupportedMediaType, UnsupportedMediaTypeBody),
        };
        gate.Complete(result);
        return SmsCodeResponses.WriteAsync(gate.HttpContext.Response, status, body);
    }
}
