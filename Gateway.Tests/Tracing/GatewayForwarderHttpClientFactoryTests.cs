using Gateway.Middleware.Tracing;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Tests.Tracing;

public sealed class GatewayForwarderHttpClientFactoryTests
{
    private static readonly Dictionary<string, string> Provider = new() { ["SmsProvider"] = "true" };
    private static readonly Dictionary<string, string> Other = new() { ["Team"] = "sms" };

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void CreateClient_ProviderMarkChanged_NewClient(bool wasProvider, bool isProvider)
    {
        var factory = new GatewayForwarderHttpClientFactory(NullLogger<ForwarderHttpClientFactory>.Instance);
        using var old = factory.CreateClient(Context(wasProvider ? Provider : Other, oldClient: null, oldMetadata: null));

        using var created = factory.CreateClient(Context(isProvider ? Provider : Other, old, wasProvider ? Provider : Other));

        Assert.NotSame(old, created);
    }

    [Fact]
    public void CreateClient_OnlyOtherMetadataChanged_ReusesClient()
    {
        var factory = new GatewayForwarderHttpClientFactory(NullLogger<ForwarderHttpClientFactory>.Instance);
        using var old = factory.CreateClient(Context(Provider, oldClient: null, oldMetadata: null));

        var reused = factory.CreateClient(Context(new Dictionary<string, string>(Provider) { ["Team"] = "sms" }, old, Provider));

        Assert.Same(old, reused);
    }

    private static ForwarderHttpClientContext Context(
        IReadOnlyDictionary<string, string> metadata, HttpMessageInvoker? oldClient, IReadOnlyDictionary<string, string>? oldMetadata) => new()
    {
        ClusterId = "sms-provider",
        OldConfig = HttpClientConfig.Empty,
        OldMetadata = oldMetadata,
        OldClient = oldClient,
        NewConfig = HttpClientConfig.Empty,
        NewMetadata = metadata,
    };
}
