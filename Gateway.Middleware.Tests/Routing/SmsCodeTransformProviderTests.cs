using Gateway.Middleware.Policies;
using Gateway.Middleware.Routing;
using Gateway.Middleware.Send;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Middleware.Tests.Routing;

public sealed class SmsCodeTransformProviderTests
{
    [Fact]
    public void ValidateRoute_UngatedRoute_NoErrors()
    {
        Assert.Empty(Validate(Route(new Dictionary<string, string>())));
    }

    [Theory]
    [InlineData("SmsCodePolicy")]
    [InlineData("SmsVerifyPolicy")]
    [InlineData("SmsVerifyEndpoint")]
    public void ValidateRoute_UnknownPolicyInAnyRole_NamesRouteAndPolicy(string role)
    {
        var error = Assert.Single(Validate(Route(new() { [role] = "nope" })));
        Assert.Contains($"Route 'r': Metadata:{role} names 'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRoute_TwoRoles_Refused()
    {
        var error = Assert.Single(Validate(Route(new() { ["SmsCodePolicy"] = "p", ["SmsVerifyPolicy"] = "p" })));
        Assert.Contains("more than one gate role", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRoute_MobileFromTheRouteButNotCaptured_Refused()
    {
        var error = Assert.Single(Validate(Route(new() { ["SmsCodePolicy"] = "p" }, path: "/sms_codes/")));
        Assert.Contains("must capture '{mobile}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRoute_RouteTakesTheMobileFromTheBody_NeedsNoCapture()
    {
        Assert.Empty(Validate(Route(new() { ["SmsVerifyPolicy"] = "p", ["SmsMobileFrom"] = "Body:mobile" }, path: "/verifications/sms/")));
    }

    [Fact]
    public void ValidateRoute_InvalidRouteMobileSource_NamesTheKey()
    {
        var error = Assert.Single(Validate(Route(new() { ["SmsVerifyPolicy"] = "p", ["SmsMobileFrom"] = "Cookie:m" })));
        Assert.Contains("Metadata:SmsMobileFrom must be Route:<name>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRoute_NoCluster_Refused()
    {
        var error = Assert.Single(Validate(Route(new() { ["SmsVerifyEndpoint"] = "p" }) with { ClusterId = null }));
        Assert.Contains("needs a ClusterId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_SendRoute_AddsTheTransformsAndCopiesNothingOfTheClients()
    {
        var context = new TransformBuilderContext { Route = Route(new() { ["SmsCodePolicy"] = "p" }) };

        Provider().Apply(context);

        Assert.Contains(SmsCodeRequestTransform.Instance, context.RequestTransforms);
        Assert.Contains(SmsCodeResponseTransform.Instance, context.ResponseTransforms);
        Assert.False(context.CopyRequestHeaders);
        Assert.False(context.UseDefaultForwarders);
    }

    [Fact]
    public void Apply_VerifyRoute_CopiesTheRequestButUnderscoreHeaderNames()
    {
        var context = new TransformBuilderContext { Route = Route(new() { ["SmsVerifyPolicy"] = "p" }) };

        Provider().Apply(context);

        Assert.IsType<UnderscoreHeadersTransform>(Assert.Single(context.RequestTransforms));
        Assert.Null(context.CopyRequestHeaders);
    }

    private static List<Exception> Validate(RouteConfig route)
    {
        var context = new TransformRouteValidationContext { Route = route, Services = null! };
        Provider().ValidateRoute(context);
        return [.. context.Errors];
    }

    private static SmsCodeTransformProvider Provider()
    {
        var registry = new SmsCodePolicyRegistry(
            new OptionsFactory<SmsCodeGateOptions>([new ConfigureOptions<SmsCodeGateOptions>(o => o.Policies["p"] = new SmsCodePolicyOptions())], []),
            [], [], NullLogger<SmsCodePolicyRegistry>.Instance);
        return new SmsCodeTransformProvider(registry, new OptionsMonitor<SmsCodeGateOptions>(
            new OptionsFactory<SmsCodeGateOptions>([], []), [], new OptionsCache<SmsCodeGateOptions>()));
    }

    private static RouteConfig Route(Dictionary<string, string> metadata, string path = "/sms_codes/{mobile}/") => new()
    {
        RouteId = "r",
        ClusterId = "c",
        Match = new RouteMatch { Path = path },
        Metadata = metadata,
    };
}
