using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Gate;

/// <summary>
/// What the verify contract suites share: a recording provider that also stands in for the legacy app (its other
/// paths), a host on the store under test with the verify routes, and the requests they send.
/// </summary>
public abstract class VerifyContractTests(ContractStore store) : IAsyncLifetime
{
    private readonly TestResources _resources = new();

    protected ContractStore Store { get; } = store;

    protected RecordingSmsProvider Provider { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Store.ResetAsync();
        Provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    /// <summary>A host on the store under test, connected before the first request, with the verify routes.</summary>
    protected (GatewayHost Host, HttpClient Client) Start(Action<GatewayConfig>? edit = null, LogLevel? gateLogLevel = null)
    {
        // No verify contract test is about the store timeout: a slow machine must not turn a Redis call into a 503.
        var config = new GatewayConfig(Provider.Address, Store.Redis).WithVerifyRoutes().WithStoreTimeout(GatewayConfig.StoreTimeoutBeyondHangGuards);
        edit?.Invoke(config);
        var host = _resources.Add(new GatewayHost(config, configureServices: Store.ConfigureServices, gateLogLevel: gateLogLevel).Start().WaitUntilConnected());
        return (host, host.CreateClient());
    }

    /// <summary>Sends a code to <paramref name="mobile"/> (a fresh one when null) and returns it as the provider got it.</summary>
    protected async Task<(string Mobile, string Code)> SendCodeAsync(HttpClient client, string? mobile = null)
    {
        mobile ??= TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        return (mobile, Provider.RequestsFor(mobile)[^1].Code!);
    }

    protected static Task<HttpResponseMessage> VerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsJsonAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative), new { code }).WaitAsync(TimeSpan.FromSeconds(30));

    protected static Task<HttpResponseMessage> LegacyVerifyAsync(HttpClient client, string mobile, string code, TimeSpan? within = null) =>
        client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new FormUrlEncodedContent([new("mobile", mobile), new("sms_code", code)])).WaitAsync(within ?? TimeSpan.FromSeconds(60));

    /// <summary>A code that is not <paramref name="code"/>.</summary>
    protected static string Other(string code) => code == "000000" ? "111111" : "000000";
}
