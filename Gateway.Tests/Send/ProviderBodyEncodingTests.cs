using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Send;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Tests.Send;

/// <summary>
/// A provider body's placeholders are escaped for its content type, so that a value cannot add structure (a second
/// recipient). The mobile is digits by the time it gets here (see <c>SmsCodePolicyTests</c>), so the escaper is also
/// tested on its own with the probe's value; through the host, a content type it cannot escape for is refused.
/// </summary>
public sealed class ProviderBodyEncodingTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string Injection = "1</to><to>19995550000";
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/xml; charset=utf-8")]
    [InlineData("application/soap+xml")]
    public void Body_XmlTemplateAndMarkupInTheValue_OneRecipientHoldingTheValue(string contentType)
    {
        var request = Request(contentType, "<sms><to>{mobile}</to><to2 n=\"{mobile}\"/><text>Code {code}</text></sms>");

        var body = Encoding.UTF8.GetString(request.Body(Injection, "123456", 300_000));

        var xml = XDocument.Parse(body);
        Assert.Equal(Injection, Assert.Single(xml.Root!.Elements("to")).Value);
        Assert.Equal(Injection, xml.Root!.Element("to2")!.Attribute("n")!.Value);
        Assert.Equal("Code 123456", xml.Root!.Element("text")!.Value);
    }

    [Fact]
    public void Body_JsonTemplateAndQuotesInTheValue_OneRecipientHoldingTheValue()
    {
        const string value = "1\",\"to\":\"19995550000";
        var request = Request("application/vnd.sms+json", "{{\"to\":\"{mobile}\",\"code\":\"{code}\"}}");

        var body = request.Body(value, "123456", 300_000);

        using var json = JsonDocument.Parse(body);
        Assert.Equal(value, json.RootElement.GetProperty("to").GetString());
        Assert.Equal(2, json.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void Body_FormTemplateAndAmpersandInTheValue_OneRecipientHoldingTheValue()
    {
        const string value = "1&To=19995550000";
        var request = Request("application/x-www-form-urlencoded", "To={mobile}&Body={code}");

        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(request.Body(value, "123456", 300_000)));

        Assert.Equal(value, Assert.Single(form["To"].ToArray()));
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=x", true)]
    [InlineData("application/octet-stream", true)]
    [InlineData("text/html", true)]
    [InlineData("application/octet-stream", false)]
    [InlineData("application/xml", true)]
    [InlineData("text/plain", true)]
    public void Validate_ContentTypeAndMobileInTheBody_RefusedUnlessTheGateCanEscapeForIt(string contentType, bool withMobile)
    {
        var options = new SmsCodeProviderOptions { ContentType = contentType, Body = withMobile ? "to {mobile} code {code}" : "code {code}" };

        var failures = SmsCodeProviderRequest.Validate("SmsCodeGate:Policies:p:Provider", options).ToList();

        var escapable = ProviderBodyEncodings.Of(System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType)) != ProviderBodyEncoding.Unknown;
        if (withMobile && !escapable)
        {
            Assert.StartsWith("SmsCodeGate:Policies:p:Provider:ContentType is", Assert.Single(failures), StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(failures);
        }
    }

    [Fact]
    public async Task Start_MultipartBodyWithTheMobile_FailsNamingTheContentTypeKey()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        config.Policy["Provider"] = new JsonObject
        {
            ["Method"] = "POST",
            ["ContentType"] = "multipart/form-data; boundary=b",
            ["Body"] = "--b\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n{mobile}\r\n--b--\r\n",
        };
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains("SmsCodeGate:Policies:test:Provider:ContentType is 'multipart/form-data; boundary=b', which the gate cannot escape {mobile} for", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_XmlProvider_ReceivesWellFormedXmlWithOneRecipient()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        config.GatedRoute.Remove("Transforms");
        config.Policy["Provider"] = new JsonObject
        {
            ["Method"] = "POST",
            ["Path"] = "/xml/send",
            ["ContentType"] = "application/xml",
            ["Body"] = "<sms><to>+86{mobile}</to><text>Your code is {code} &amp; valid {minutes} min</text></sms>",
        };
        var host = _resources.Add(new GatewayHost(config).Start());
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.CreateClient().RequestCodeAsync(Uri.EscapeDataString(Injection))).StatusCode);

        var sent = Assert.Single(_provider.OtherRequests);
        var xml = XDocument.Parse(sent.Body);
        Assert.Equal("+86" + mobile, Assert.Single(xml.Root!.Elements("to")).Value);
        Assert.StartsWith("Your code is ", xml.Root!.Element("text")!.Value, StringComparison.Ordinal);
    }

    private static SmsCodeProviderRequest Request(string contentType, string body) =>
        new(new SmsCodeProviderOptions { Method = "POST", ContentType = contentType, Body = body });
}
