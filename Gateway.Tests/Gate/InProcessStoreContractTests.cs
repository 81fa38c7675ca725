using Gateway.Middleware.Store;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Gate;

/// <summary>The gate contract on the in-process store (no SmsCodeGate:Redis).</summary>
public sealed class InProcessStoreContractTests : SmsCodeGateContractTests
{
    protected override string? Redis => null;

    protected override Task<long> MillisecondsLeftAsync(GatewayHost host, int database, string key) =>
        Task.FromResult(Store(host).MillisecondsLeft(database, key));

    protected override Task<string?> ValueOfAsync(GatewayHost host, int database, string key) =>
        Task.FromResult(Store(host).ValueOf(database, key));

    private static InMemorySmsCodeStore Store(GatewayHost host) =>
        (InMemorySmsCodeStore)host.Services.GetRequiredService<ISmsCodeStore>();
}
