using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Middleware.Send;

/// <summary>
/// On a gated route: records the provider's status for the gate (a 2xx whose JSON fails the policy's
/// <c>Provider:SuccessWhen</c> counts as a failure) and, unless the policy passes the provider's answer through,
/// discards the provider's headers and body so that nothing it echoes reaches the client.
/// </summary>
internal sealed class SmsCodeResponseTransform : ResponseTransform
{
    /// <summary>The most of a provider's answer read to test <c>SuccessWhen</c>.</summary>
    private const int MaxAnswerBytes = 64 * 1024;

    public static SmsCodeResponseTransform Instance { get; } = new();

    public override async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var issue = context.HttpContext.Features.Get<SmsCodeIssue>();
        if (issue is null || context.ProxyResponse is null)
        {
            return;
        }

        issue.ProviderStatusCode = (int)context.ProxyResponse.StatusCode;
        if (issue.ProviderSucceeded && issue.Policy.Provider?.SuccessWhen is { } success)
        {
            byte[] body = [];
            if (success.ReadsBody)
            {
                // Buffered, so that a passed-through answer can still be copied to the client after this read.
                var content = context.ProxyResponse.Content;
                await content.LoadIntoBufferAsync(MaxAnswerBytes, context.CancellationToken).ConfigureAwait(false);
                body = await content.ReadAsByteArrayAsync(context.CancellationToken).ConfigureAwait(false);
            }

            issue.ProviderRejected = !success.IsSuccess(issue.ProviderStatusCode ?? 0, body);
        }

        var response = context.HttpContext.Response;
        if (issue.Policy.PassProviderResponse && issue.ProviderSucceeded)
        {
            response.Headers.Remove(issue.Policy.CodeHeader);
            return;
        }

        context.SuppressResponseBody = true;
        if (!response.HasStarted)
        {
            response.Clear();
        }
    }
}
