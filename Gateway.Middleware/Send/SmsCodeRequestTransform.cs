using Gateway.Middleware.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Middleware.Send;

/// <summary>
/// On a gated route: builds the provider's request from what it needs only. The client's headers are not copied
/// (the provider sees no cookie, credential or forwarded-for header unless the policy lists it), nor its query
/// string (its body is settled by <see cref="ProviderRequestBody"/>). The code goes where the policy's
/// <c>Provider</c> templates put it, or in the code header. Without an issued code (the gate is missing from the
/// proxy pipeline) it answers 500, so that no SMS goes out without a stored code.
/// </summary>
internal sealed class SmsCodeRequestTransform : RequestTransform
{
    public static SmsCodeRequestTransform Instance { get; } = new();

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var gate = SmsCodeGateContext.Of(context.HttpContext);
        if (gate is not { IsIssued: true })
        {
            return new ValueTask(SmsCodeResponses.WriteAsync(
                context.HttpContext.Response, StatusCodes.Status500InternalServerError, SmsCodeResponses.PolicyMissing));
        }

        var request = context.HttpContext.Request;
        var proxyRequest = context.ProxyRequest;
        var policy = gate.Policy;
        foreach (var name in policy.ProviderRequestHeaders)
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

        RemoveHeader(context, policy.CodeHeader);
        if (policy.Provider is not { } provider)
        {
            proxyRequest.Headers.TryAddWithoutValidation(policy.CodeHeader, gate.Code);
            return ValueTask.CompletedTask;
        }

        Apply(context, provider, gate);
        return ValueTask.CompletedTask;
    }

    private static void Apply(RequestTransformContext context, SmsCodeProviderRequest provider, SmsCodeGateContext gate)
    {
        var proxyRequest = context.ProxyRequest;
        if (provider.Method is { } method)
        {
            proxyRequest.Method = method;
        }

        if (provider.HasPath)
        {
            var target = provider.Path(gate.Mobile, gate.Code, gate.Policy.CodeLifetimeMilliseconds);
            var query = target.IndexOf('?', StringComparison.Ordinal);
            context.Path = new PathString(query < 0 ? target : target[..query]);
            if (query >= 0)
            {
                foreach (var (name, values) in QueryHelpers.ParseQuery(target[query..]))
                {
                    context.Query.Collection[name] = values;
                }
            }
        }

        if (provider.HasBody && proxyRequest.Content is { } content)
        {
            content.Headers.ContentType = provider.ContentType;
            content.Headers.ContentLength = context.HttpContext.Request.ContentLength;
        }

        foreach (var (name, value) in provider.Headers)
        {
            proxyRequest.Headers.Remove(name);
            proxyRequest.Headers.TryAddWithoutValidation(name, value);
        }

        if (!provider.CarriesCode)
        {
            proxyRequest.Headers.TryAddWithoutValidation(gate.Policy.CodeHeader, gate.Code);
        }
    }
}
