using Gateway.Middleware.Policies;
using Gateway.Middleware.Requests;
using Gateway.Middleware.Send;
using Gateway.Middleware.Store;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Middleware.Tests.Send;

public sealed class SmsCodeRequestTransformTests
{
    private const string Mobile = "13800138000";
    private const string Code = "123456";

    [Fact]
    public async Task ApplyAsync_DefaultPolicy_CodeInItsHeaderAndNothingOfTheClients()
    {
        var (context, http) = Context(new SmsCodePolicyOptions());
        http.Request.QueryString = new QueryString("?token=secret");
        context.ProxyRequest.Headers.TryAddWithoutValidation("X-Sms-Code", "000000");

        await SmsCodeRequestTransform.Instance.ApplyAsync(context);

        Assert.Equal([Code], context.ProxyRequest.Headers.GetValues("X-Sms-Code"));
        Assert.Equal(QueryString.Empty, context.Query.QueryString);
        Assert.Equal(HttpMethod.Get, context.ProxyRequest.Method);
    }

    [Fact]
    public async Task ApplyAsync_PolicyListsAClientHeader_OnlyThatOneGoesOn()
    {
        var options = new SmsCodePolicyOptions();
        options.ProviderRequestHeaders.Add("X-Request-Id");
        var (context, http) = Context(options);
        http.Request.Headers["X-Request-Id"] = "r-1";
        http.Request.Headers.Cookie = "session=1";

        await SmsCodeRequestTransform.Instance.ApplyAsync(context);

        Assert.Equal(["r-1"], context.ProxyRequest.Headers.GetValues("X-Request-Id"));
        Assert.False(context.ProxyRequest.Headers.Contains("Cookie"));
    }

    [Fact]
    public async Task ApplyAsync_ProviderTemplates_MethodPathQueryAndHeadersAndNoCodeHeader()
    {
        var options = new SmsCodePolicyOptions
        {
            Provider = new SmsCodeProviderOptions { Method = "post", Path = "/v1/{mobile}/send?lang=zh&code={code}" },
        };
        options.Provider.Headers["Authorization"] = "Bearer provider-key";
        var (context, _) = Context(options);

        await SmsCodeRequestTransform.Instance.ApplyAsync(context);

        Assert.Equal(HttpMethod.Post, context.ProxyRequest.Method);
        Assert.Equal($"/v1/{Mobile}/send", context.Path.Value);
        Assert.Equal($"?lang=zh&code={Code}", context.Query.QueryString.Value);
        Assert.Equal(["Bearer provider-key"], context.ProxyRequest.Headers.GetValues("Authorization"));
        Assert.False(context.ProxyRequest.Headers.Contains("X-Sms-Code"));
    }

    [Fact]
    public async Task ApplyAsync_ProviderWithoutTheCodeInATemplate_StillSendsTheCodeHeader()
    {
        var (context, _) = Context(new SmsCodePolicyOptions { Provider = new SmsCodeProviderOptions { Path = "/send" } });

        await SmsCodeRequestTransform.Instance.ApplyAsync(context);

        Assert.Equal([Code], context.ProxyRequest.Headers.GetValues("X-Sms-Code"));
    }

    [Fact]
    public async Task ApplyAsync_NoIssuedCode_Answers500AndForwardsNothing()
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();
        var context = new RequestTransformContext { HttpContext = http, ProxyRequest = new HttpRequestMessage(), Path = "/send", Query = new QueryTransformContext(http.Request) };

        await SmsCodeRequestTransform.Instance.ApplyAsync(context);

        Assert.Equal(StatusCodes.Status500InternalServerError, http.Response.StatusCode);
        Assert.False(context.ProxyRequest.Headers.Contains("X-Sms-Code"));
    }

    private static (RequestTransformContext Context, DefaultHttpContext Http) Context(SmsCodePolicyOptions options)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = HttpMethods.Get;
        var policy = new SmsCodePolicy("test", options);
        var request = new SmsCodeIssueRequest(2, "f", "c", "s", Code, "n", 60_000, 300_000);
        http.Features.Set(new SmsCodeGateContext(http, policy.Name, new Dictionary<string, string>()) { Policy = policy, Mobile = Mobile, Issue = request });
        var context = new RequestTransformContext
        {
            HttpContext = http,
            ProxyRequest = new HttpRequestMessage(HttpMethod.Get, (Uri?)null),
            Path = "/send/" + Mobile,
            Query = new QueryTransformContext(http.Request),
            DestinationPrefix = "http://provider/",
            HeadersCopied = false,
        };
        return (context, http);
    }
}
