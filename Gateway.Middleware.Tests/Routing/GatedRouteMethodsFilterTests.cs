using Gateway.Middleware.Routing;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Middleware.Tests.Routing;

public sealed class GatedRouteMethodsFilterTests
{
    [Fact]
    public async Task ConfigureRouteAsync_GatedRoute_MatchesEveryMethodAndRemembersItsOwn()
    {
        var route = Route(new Dictionary<string, string> { ["SmsCodePolicy"] = "p" }, "GET", "head");

        var filtered = await new GatedRouteMethodsFilter().ConfigureRouteAsync(route, null, default);

        Assert.Null(filtered.Match.Methods);
        Assert.Equal("GET, HEAD", filtered.Metadata![GatedRouteMethodsFilter.AllowedMethodsMetadata]);
        Assert.Equal("p", filtered.Metadata["SmsCodePolicy"]);
    }

    [Fact]
    public async Task ConfigureRouteAsync_MethodsWrittenByHandInTheMetadata_AreOverwritten()
    {
        var route = Route(new Dictionary<string, string> { ["SmsVerifyEndpoint"] = "p", [GatedRouteMethodsFilter.AllowedMethodsMetadata] = "GET, POST, DELETE" }, "POST");

        var filtered = await new GatedRouteMethodsFilter().ConfigureRouteAsync(route, null, default);

        Assert.Equal("POST", filtered.Metadata![GatedRouteMethodsFilter.AllowedMethodsMetadata]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConfigureRouteAsync_GatedRouteWithoutMethods_RemembersNone(bool emptyList)
    {
        var route = Route(new Dictionary<string, string> { ["SmsCodePolicy"] = "p", [GatedRouteMethodsFilter.AllowedMethodsMetadata] = "GET" });
        route = route with { Match = route.Match with { Methods = emptyList ? [] : null } };

        var filtered = await new GatedRouteMethodsFilter().ConfigureRouteAsync(route, null, default);

        Assert.Null(filtered.Match.Methods);
        Assert.Equal("", filtered.Metadata![GatedRouteMethodsFilter.AllowedMethodsMetadata]);
    }

    [Fact]
    public async Task ConfigureRouteAsync_NoRoute_Throws()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => new GatedRouteMethodsFilter().ConfigureRouteAsync(null!, null, default).AsTask());
    }

    [Fact]
    public async Task ConfigureRouteAsync_UngatedRoute_Untouched()
    {
        var route = Route(new Dictionary<string, string>(), "GET");

        Assert.Same(route, await new GatedRouteMethodsFilter().ConfigureRouteAsync(route, null, default));
    }

    private static RouteConfig Route(Dictionary<string, string> metadata, params string[] methods) => new()
    {
        RouteId = "r",
        ClusterId = "c",
        Match = new RouteMatch { Path = "/sms_codes/{mobile}/", Methods = methods },
        Metadata = metadata,
    };

    [Theory]
    [InlineData("GET", "GET", true)]
    [InlineData("get", "GET", true)]
    [InlineData("POST", "GET, POST", true)]
    [InlineData("HEAD", "GET", false)]
    [InlineData("GE", "GET", false)]
    [InlineData("GETX", "GET", false)]
    [InlineData("DELETE", "GET, POST", false)]
    [InlineData("PATCH", "", true)]
    public void IsAllowed_MethodAgainstTheRoutesOwn(string method, string allowed, bool expected)
    {
        Assert.Equal(expected, GatedRouteMethodsFilter.IsAllowed(method, allowed));
    }
}
