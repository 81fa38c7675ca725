using Gateway.Middleware.Gate;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Middleware.Transforms;

/// <summary>
/// On a gated route: removes any code header the client sent and attaches the issued code. Without an issued
/// code (the gate is missing from the proxy pipeline) it answers 500 so that no SMS goes out without a stored code.
/// </summary>
internal sealed class SmsCodeRequestTransform : RequestTransform
{
    public static SmsCodeRequestTransform Instance { get; } = new();

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var issue = context.HttpContext.Features.Get<SmsCodeIssue>();
        if (issue is null)
        {
            return new ValueTask(SmsCodeResponses.WriteAsync(
                context.HttpContext.Response, StatusCodes.Status500InternalServerError, SmsCodeResponses.PolicyMissing));
        }

        var header = issue.Policy.CodeHeader;
        RemoveHeader(context, header);
        context.ProxyRequest.Headers.TryAddWithoutValidation(header, issue.StoreRequest.Code);
        return ValueTask.CompletedTask;
    }
}
