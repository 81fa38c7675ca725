using Gateway.Middleware.Policies;
using Gateway.Middleware.Policies.Validators;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Middleware.Tests.Policies.Validators;

public sealed class ProviderMobileRuleTests
{
    [Theory]
    [InlineData("/send/{mobile}")]
    [InlineData("/send?to={**mobile}")]
    [InlineData("/v1/{mobile:long}/sms")]
    public void Check_PathTransformKeepsTheMobile_None(string pattern)
    {
        Assert.Null(Check(Route(new() { ["PathPattern"] = pattern }), new SmsCodePolicyOptions()));
    }

    [Fact]
    public void Check_NoPathTransform_TheRoutesOwnPathCarriesIt()
    {
        Assert.Null(Check(Route(), new SmsCodePolicyOptions()));
    }

    [Theory]
    [InlineData("PathPattern", "/send/app2", "the route's path transform drops {mobile}")]
    [InlineData("PathSet", "/send", "the route's path transform drops {mobile}")]
    public void Check_PathTransformDropsTheMobile_Refused(string transform, string value, string why)
    {
        var mistake = Check(Route(new() { [transform] = value }), new SmsCodePolicyOptions());

        Assert.Equal($"Route 'r': the SMS provider would not learn the mobile ({why}); put {{mobile}} in SmsCodeGate:Policies:p:Provider:Path (e.g. \"/send/{{mobile}}\") or SmsCodeGate:Policies:p:Provider:Body.", mistake);
    }

    [Fact]
    public void Check_ProviderPathWithoutTheMobile_RefusedEvenWhenTheRoutePathHasIt()
    {
        var policy = new SmsCodePolicyOptions { Provider = new SmsCodeProviderOptions { Path = "/messages" } };

        Assert.Contains("Provider:Path replaces the route's path and has no {mobile}", Check(Route(new() { ["PathPattern"] = "/send/{mobile}" }), policy), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/send/{mobile}", null)]
    [InlineData("/messages", "to={mobile}")]
    public void Check_MobileFromTheBodyAndAProviderTemplateWithIt_None(string path, string? body)
    {
        var policy = new SmsCodePolicyOptions
        {
            MobileFrom = "Json:user.phone",
            Provider = new SmsCodeProviderOptions { Path = path, Body = body, ContentType = body is null ? null : "application/x-www-form-urlencoded" },
        };

        Assert.Null(Check(Route(), policy));
    }

    [Fact]
    public void Check_MobileFromTheBodyWithoutATemplate_Refused()
    {
        var mistake = Check(Route(new() { ["PathPattern"] = "/send/app2" }), new SmsCodePolicyOptions { MobileFrom = "Json:user.phone" });

        Assert.Contains("the mobile comes from Json:user.phone, which the provider never gets", mistake, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MobileFromAHeaderPassedOnToTheProvider_None()
    {
        var policy = new SmsCodePolicyOptions { MobileFrom = "Header:X-Mobile" };
        policy.ProviderRequestHeaders.Add("X-Mobile");

        Assert.Null(Check(Route(new() { ["PathSet"] = "/send" }), policy));
    }

    private static string? Check(RouteConfig route, SmsCodePolicyOptions options)
    {
        var policy = new SmsCodePolicy("p", options);
        return ProviderMobileRule.Check(route, policy, policy.MobileFrom);
    }

    private static RouteConfig Route(Dictionary<string, string>? transform = null) => new()
    {
        RouteId = "r",
        ClusterId = "c",
        Match = new RouteMatch { Path = "/sms_codes/{mobile}/" },
        Transforms = transform is null ? null : [transform],
    };
}
