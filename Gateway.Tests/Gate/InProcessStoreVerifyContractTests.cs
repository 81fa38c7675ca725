using Gateway.Middleware.Store;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Gate;

/// <summary>The verify contract on the in-process store.</summary>
public sealed class InProcessStoreVerifyContractTests : SmsCodeVerifyContractTests
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

    protected override Task<string?> ValueOfAsync(GatewayHost host, int database, string key) =>
        Task.FromResult(((InMemorySmsCodeStore)host.Services.GetRequiredService<ISmsCodeStore>()).ValueOf(database, key));
}
