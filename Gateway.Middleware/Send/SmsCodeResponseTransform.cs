using Gateway.Middleware.Requests;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Middleware.Send;

/// <summary>
/// On a send route: reports the provider's answer into the request's <see cref="SmsCodeGateContext"/> (a 2xx whose
/// JSON fails the policy's <c>Provider:SuccessWhen</c> is a failure) and, unless the policy passes the provider's
/// answer through, discards the provider's headers and body so that nothing it echoes reaches the client.
/// </summary>
internal sealed class SmsCodeResponseTransform : ResponseTransform
{
    /// <summary>The most of a provider's answer read to test <c>SuccessWhen</c>.</summary>
    private const int MaxAnswerBytes = 64 * 1024;

    public static SmsCodeResponseTransform Instance { get; } = new();

    public override async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var gate = SmsCodeGateContext.Of(context.HttpContext);
        if (gate is not { IsIssued: true } || context.ProxyResponse is null)
        {
            return;
        }

        var policy = gate.Policy;
        var status = (int)context.ProxyResponse.StatusCode;
        var rejected = false;
        if (status is >= 200 and < 300 && policy.Provider?.SuccessWhen is { } success)
        {
            byte[] body = [];
            if (success.ReadsBody)
            {
                // Buffered, so that a passed-through answer can still be copied to the client after this read.
                var content = context.ProxyResponse.Content;
                await content.LoadIntoBufferAsync(MaxAnswerBytes, context.CancellationToken).ConfigureAwait(false);
                body = await content.ReadAsByteArrayAsync(context.CancellationToken).ConfigureAwait(false);
            }

            rejected = !success.IsSuccess(status, body);
        }

        var answer = new ProviderAnswer(status, rejected);
        gate.ReportProviderAnswer(answer);
        var response = context.HttpContext.Response;
        if (policy.PassProviderResponse && answer.Succeeded)
        {
            response.Headers.Remove(policy.CodeHeader);
            return;
        }

        context.SuppressResponseBody = true;
        if (!response.HasStarted)
        {
            response.Clear();
        }
    }
}
