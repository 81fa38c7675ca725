using Gateway.Middleware.Gate;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Middleware.Transforms;

/// <summary>
/// On a gated route: records the provider's status for the gate and, unless the policy passes the provider's
/// answer through, discards the provider's headers and body so that nothing it echoes reaches the client.
/// </summary>
internal sealed class SmsCodeResponseTransform : ResponseTransform
{
    public static SmsCodeResponseTransform Instance { get; } = new();

    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var issue = context.HttpContext.Features.Get<SmsCodeIssue>();
        if (issue is null || context.ProxyResponse is null)
        {
            return ValueTask.CompletedTask;
        }

        issue.ProviderStatusCode = (int)context.ProxyResponse.StatusCode;
        var response = context.HttpContext.Response;
        if (issue.Policy.PassProviderResponse && issue.ProviderSucceeded)
        {
            response.Headers.Remove(issue.Policy.CodeHeader);
            return ValueTask.CompletedTask;
        }

        context.SuppressResponseBody = true;
        if (!response.HasStarted)
        {
            response.Clear();
        }

        return ValueTask.CompletedTask;
    }
}
