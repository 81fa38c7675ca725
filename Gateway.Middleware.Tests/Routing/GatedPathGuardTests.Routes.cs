using System.Diagnostics.CodeAnalysis;
using Gateway.Middleware.Routing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Middleware.Tests.Routing;

/// <summary>The guard against the proxy's routes: a gated route's path in another spelling is refused, the rest passes.</summary>
public sealed partial class GatedPathGuardTests
{
    [Fact]
    public void Constructor_NoRoutes_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new GatedPathGuard(null!));
    }

    [Theory]
    [InlineData("//sms_codes/13800138000/", true)]
    [InlineData("/sms_codes%2F13800138000/", true)]
    [InlineData("/sms_codes\\13800138000\\", true)]
    [InlineData("//verifications//sms/", true)]
    [InlineData("//sms_codes/13800138000/verify", true)]
    [InlineData("/sms_codes/13800138000/\n", true)]
    [InlineData("/x%00", true)]
    [InlineData("//static/app.js", false)]
    [InlineData("/a%20b", false)]
    [InlineData("//open/13800138000/", false)]
    public void IsGatedOrInvalid_PathAsALenientAppReadsIt_TrueForAGatedRouteOrAControlCharacter(string path, bool expected)
    {
        var guard = new GatedPathGuard(new Routes(
            Route("/sms_codes/{mobile}/", "SmsCodePolicy"),
            Route("/verifications/sms/", "SmsVerifyPolicy"),
            Route("/sms_codes/{mobile}/verify", "SmsVerifyEndpoint"),
            Route("/open/{mobile}/", metadata: null),
            Route(null, "SmsCodePolicy")));

        Assert.Equal(expected, guard.IsGatedOrInvalid(new PathString(path)));
    }

    [Fact]
    public void IsGatedOrInvalid_AskedTwice_SameAnswerFromTheRemembered()
    {
        var guard = new GatedPathGuard(new Routes(Route("/sms_codes/{mobile}/", "SmsCodePolicy")));

        Assert.True(guard.IsGatedOrInvalid(new PathString("//sms_codes/1/")));
        Assert.True(guard.IsGatedOrInvalid(new PathString("//sms_codes/2/")));
        Assert.False(guard.IsGatedOrInvalid(new PathString("//other/2/")));
    }

    private static RouteModel Route(string? path, string? metadata) => new(
        new RouteConfig
        {
            RouteId = Guid.NewGuid().ToString("N"),
            ClusterId = "c",
            Match = new RouteMatch { Path = path, Hosts = path is null ? ["example.com"] : null },
            Metadata = metadata is null ? null : new Dictionary<string, string> { [metadata] = "p" },
        },
        null,
        HttpTransformer.Empty);

    private sealed class Routes(params RouteModel[] routes) : IProxyStateLookup
    {
        public IEnumerable<RouteModel> GetRoutes() => routes;

        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route)
        {
            route = routes.FirstOrDefault(r => r.Config.RouteId == id);
            return route is not null;
        }

        public IEnumerable<ClusterState> GetClusters() => [];

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster)
        {
            cluster = null;
            return false;
        }
    }
}
