using Gateway.Middleware.Store;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Gate;

/// <summary>The gate contract on the in-process store (no SmsCodeGate:Redis).</summary>
public sealed class InProcessStoreContractTests : SmsCodeGateContractTests
{
    private readonly FakeTimeProvider _time = new();

    protected override string? Redis => null;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<ISmsCodeStore>(new InMemorySmsCodeStore(_time));

    protected override Task PassSendIntervalAsync(GatewayHost host, string mobile)
    {
        _time.Advance(TimeSpan.FromSeconds(60));
        return Task.CompletedTask;
    }

    protected override Task<long> MillisecondsLeftAsync(GatewayHost host, int database, string key) =>
        Task.FromResult(Store(host).MillisecondsLeft(database, key));

    protected override Task<string?> ValueOfAsync(GatewayHost host, int database, string key) =>
        Task.FromResult(Store(host).ValueOf(database, key));

    private static InMemorySmsCodeStore Store(GatewayHost host) =>
        (InMemorySmsCodeStore)host.Services.GetRequiredService<ISmsCodeStore>();
}
