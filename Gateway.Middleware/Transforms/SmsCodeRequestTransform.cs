using Gateway.Middleware.Gate;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Middleware.Transforms;

/// <summary>
/// On a gated route: builds the provider's request from what it needs only. The client's headers are not copied
/// (the provider sees no cookie, credential or forwarded-for header unless the policy lists it), nor its query
/// string (the gate withholds its body, see <see cref="WithheldRequestBody"/>); the issued code is attached. Without an issued code (the gate is missing from the proxy
/// pipeline) it answers 500, so that no SMS goes out without a stored code.
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

        var request = context.HttpContext.Request;
        var proxyRequest = context.ProxyRequest;
        foreach (var name in issue.Policy.ProviderRequestHeaders)
        {
            if (request.Headers.TryGetValue(name, out var values))
            {
                proxyRequest.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
            }
        }

        if (request.QueryString.HasValue)
        {
            context.Query.Collection.Clear();
        }

        var header = issue.Policy.CodeHeader;
        RemoveHeader(context, header);
        proxyRequest.Headers.TryAddWithoutValidation(header, issue.StoreRequest.Code);
        return ValueTask.CompletedTask;
    }
}
