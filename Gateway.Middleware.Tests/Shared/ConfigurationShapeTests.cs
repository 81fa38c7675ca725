using Gateway.Middleware.Policies;
using Gateway.Shared;
using Microsoft.Extensions.Configuration;
using Yarp.ReverseProxy.Configuration;

// Not Gateway.Tests.Shared, which CA1716 refuses for a public type: Shared is a Visual Basic keyword.
namespace Gateway.Middleware.Tests.SharedSource;

public sealed class ConfigurationShapeTests
{
    [Fact]
    public void Check_KnownKeysAtEveryDepth_None()
    {
        var section = Section(new()
        {
            ["Policies:p:SendInterval"] = "00:01:00",
            ["Policies:p:Provider:Headers:Authorization"] = "Basic x",
            ["Policies:p:Answers:Sent:Status"] = "200",
            ["Policies:p:ProviderRequestHeaders:0"] = "X-Request-Id",
            ["StoreTimeout"] = "00:00:01",
        });

        Assert.Empty(ConfigurationShape.Check(section, typeof(SmsCodeGateOptions)));
    }

    [Theory]
    [InlineData("Policies:p:SendIntervall", "00:01:00", "SmsCodeGate:Policies:p:SendIntervall is not a setting (did you mean SendInterval?).")]
    [InlineData("Policies:p:Provider:Pathh", "/x", "SmsCodeGate:Policies:p:Provider:Pathh is not a setting (did you mean Path?).")]
    [InlineData("Policies:p:Answers:Sent:Stauts", "200", "SmsCodeGate:Policies:p:Answers:Sent:Stauts is not a setting (did you mean Status?).")]
    [InlineData("Policies:p:CodeLength", "six", "SmsCodeGate:Policies:p:CodeLength must be a whole number (was 'six').")]
    [InlineData("Policies:p:PassProviderResponse", "yes", "SmsCodeGate:Policies:p:PassProviderResponse must be true or false (was 'yes').")]
    [InlineData("Policies:p:Provider", "twilio", "SmsCodeGate:Policies:p:Provider is a section of settings, not a value (was 'twilio').")]
    [InlineData("Policies:p:SendInterval", "60", "SmsCodeGate:Policies:p:SendInterval must be a duration such as 00:01:00 (was '60').")]
    [InlineData("Zebra", "1", "SmsCodeGate:Zebra is not a setting.")]
    public void Check_Mistake_OneLineNamingTheKey(string key, string value, string expected)
    {
        var problem = Assert.Single(ConfigurationShape.Check(Section(new() { [key] = value }), typeof(SmsCodeGateOptions)));

        Assert.Equal(expected, problem);
    }

    [Theory]
    [InlineData("Routes:r:Orderr", "1", "ReverseProxy:Routes:r:Orderr is not a setting (did you mean Order?).")]
    [InlineData("Routes:r:Match:Headers:0:Nmae", "X", "ReverseProxy:Routes:r:Match:Headers:0:Nmae is not a setting (did you mean Name?).")]
    [InlineData("Clusters:c:HealthCheck:Active:Intervall", "00:00:10", "ReverseProxy:Clusters:c:HealthCheck:Active:Intervall is not a setting (did you mean Interval?).")]
    [InlineData("Clusters:c:HttpClient:WebProxy:Adress", "http://p/", "ReverseProxy:Clusters:c:HttpClient:WebProxy:Adress is not a setting (did you mean Address?).")]
    [InlineData("Routes:r:Match:Methods", "GET", "ReverseProxy:Routes:r:Match:Methods must be a list, e.g. [ \"GET\" ] (was 'GET').")]
    [InlineData("Clusters:c:SessionAffinity:Cookie:SameSite", "Sometimes", "ReverseProxy:Clusters:c:SessionAffinity:Cookie:SameSite must be one of")]
    [InlineData("Clusters:c:HttpRequest:ActivityTimeout", "5", "ReverseProxy:Clusters:c:HttpRequest:ActivityTimeout must be a duration such as 00:01:00 (was '5').")]
    public void Check_YarpSectionMistake_NamesTheKey(string key, string value, string expected)
    {
        var root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReverseProxy:" + key] = value,
            ["ReverseProxy:Routes:r:Metadata:Anything"] = "free",
            ["ReverseProxy:Routes:r:Transforms:0:PathPattern"] = "/x",
            ["ReverseProxy:Clusters:c:Destinations:d:Address"] = "http://d/",
        }).Build().GetSection("ReverseProxy");
        var section = key.StartsWith("Routes", StringComparison.Ordinal) ? root.GetSection("Routes:r") : root.GetSection("Clusters:c");
        var type = key.StartsWith("Routes", StringComparison.Ordinal) ? typeof(RouteConfig) : typeof(ClusterConfig);

        var problem = Assert.Single(ConfigurationShape.Check(section, type, "RouteId", "ClusterId"));

        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(kv => "SmsCodeGate:" + kv.Key, kv => kv.Value)).Build().GetSection("SmsCodeGate");
}
