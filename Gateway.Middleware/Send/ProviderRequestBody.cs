using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Gateway.Middleware.Send;

/// <summary>
/// What body the SMS provider gets: none of the client's, and the policy's own when its <c>Provider:Body</c> is set.
/// YARP refuses a transform that replaces the outgoing content and decides whether to send one from the request
/// body-detection feature, so the body is settled on the request before YARP forwards it. Kestrel still drains what
/// the client sent when the request ends.
/// </summary>
internal sealed class ProviderRequestBody : IHttpRequestBodyDetectionFeature
{
    private static readonly ProviderRequestBody None = new(canHaveBody: false);
    private static readonly ProviderRequestBody Some = new(canHaveBody: true);

    private ProviderRequestBody(bool canHaveBody)
    {
        CanHaveBody = canHaveBody;
    }

    public bool CanHaveBody { get; }

    /// <summary>Keeps the client's body, if it sent one, from the provider.</summary>
    public static void Withhold(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: true }
            || context.Request.ContentLength > 0
            || context.Request.Headers.ContainsKey(HeaderNames.TransferEncoding))
        {
            context.Features.Set<IHttpRequestBodyDetectionFeature>(None);
        }
    }

    /// <summary>Sends <paramref name="body"/> to the provider in place of anything the client sent.</summary>
    public static void Replace(HttpContext context, byte[] body)
    {
        var request = context.Request;
        request.Headers.Remove(HeaderNames.TransferEncoding);
        request.Body = new MemoryStream(body, writable: false);
        request.ContentLength = body.Length;
        context.Features.Set<IHttpRequestBodyDetectionFeature>(Some);
    }
}
