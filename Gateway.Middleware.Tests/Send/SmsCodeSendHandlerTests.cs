using System.Diagnostics.Metrics;
using System.Net;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Requests;
using Gateway.Middleware.Send;
using Gateway.Middleware.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Gateway.Middleware.Tests.Send;

/// <summary>The send handler's pre-store checks (<see cref="ISmsCodeSendCheck"/>), through a plain YARP host that embeds the gate.</summary>
public sealed class SmsCodeSendHandlerTests : IAsyncLifetime
{
    private const string Refused = "test_refused";

    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task SendAsync_PreStoreCheckRefuses_AnsweredAndCountedOnceWithoutTouchingTheStore()
    {
        var mobile = TestMobiles.Next();
        var first = new RefuseOnce(mobile);
        var second = new Calls();
        var host = _resources.Add(await EmbeddedHost.StartAsync(_provider.Address, configureServices: services =>
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<ISmsCodeSendCheck>(first));
            services.TryAddEnumerable(ServiceDescriptor.Singleton<ISmsCodeSendCheck>(second));
        }));
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");
        var client = host.CreateClient();

        var refused = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Empty(_provider.RequestsFor(mobile));
        Assert.Equal(0, second.Count); // the first refusal ends the checks
        var counted = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(Refused, counted.Tags["sms_code_gate.result"]);

        // Nothing was stored for the refused send: no send flag stands in the way of the next one.
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Single(_provider.RequestsFor(mobile));
        Assert.Equal(1, second.Count);
        Assert.Equal([Refused, SmsCodeGateResults.Issued], requests.GetMeasurementSnapshot().Select(m => (string)m.Tags["sms_code_gate.result"]!));
    }

    /// <summary>Refuses the first send for its mobile, then lets every send go on.</summary>
    private sealed class RefuseOnce(string mobile) : ISmsCodeSendCheck
    {
        private int _refused;

        public SendRefusal? Check(SmsCodeGateContext gate) =>
            gate.Mobile == mobile && Interlocked.Exchange(ref _refused, 1) == 0
                ? new SendRefusal(Refused, SmsCodeAnswerKind.InvalidMobile, "test")
                : null;
    }

    /// <summary>Counts the sends it saw and lets them go on.</summary>
    private sealed class Calls : ISmsCodeSendCheck
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public SendRefusal? Check(SmsCodeGateContext gate)
        {
            Interlocked.Increment(ref _count);
            return null;
        }
    }
}
