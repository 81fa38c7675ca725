using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Middleware.Gate;

/// <summary>
/// Keeps the client's request body from the SMS provider. YARP refuses a transform that replaces the outgoing
/// content, and decides whether to copy a body from this feature; saying "no body" here means it never reads
/// one. Kestrel still drains what the client sent when the request ends.
/// </summary>
internal sealed class WithheldRequestBody : IHttpRequestBodyDetectionFeature
{
    private static readonly WithheldRequestBody Instance = new();

    public bool CanHaveBody => false;

    public static void From(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: true }
            || context.Request.ContentLength > 0
            || context.Request.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.TransferEncoding))
        {
            context.Features.Set<IHttpRequestBodyDetectionFeature>(Instance);
        }
    }
}
