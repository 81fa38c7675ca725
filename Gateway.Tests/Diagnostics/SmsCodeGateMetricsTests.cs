using System.Diagnostics.Metrics;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Gateway.Tests.Diagnostics;

public sealed class SmsCodeGateMetricsTests
{
    [Theory]
    [InlineData(1, "interval")]
    [InlineData(2, "hour")]
    [InlineData(3, "day")]
    [InlineData(4, "ip")]
    [InlineData(5, "spend")]
    public void SendRefused_EachReason_RecordsOneWithItsSnakeCaseTag(int reason, string expectedTag)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var metrics = new SmsCodeGateMetrics(meterFactory);
        using var collector = new MetricCollector<long>(meterFactory, SmsCodeGateDiagnostics.MeterName, "sms_code_gate.sends.refused");

        metrics.SendRefused("legacy-sms", (SmsCodeRefusal)reason);

        var measurement = Assert.Single(collector.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal(expectedTag, measurement.Tags["sms_code_gate.refusal.reason"]);
        Assert.Equal("legacy-sms", measurement.Tags["sms_code_gate.policy"]);
    }

    [Fact]
    public void StoreCallCompleted_RecordsDurationInSecondsWithOutcome()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var metrics = new SmsCodeGateMetrics(meterFactory);
        using var collector = new MetricCollector<double>(meterFactory, SmsCodeGateDiagnostics.MeterName, "sms_code_gate.store.duration");

        metrics.StoreCallCompleted("legacy-sms", System.Diagnostics.Stopwatch.GetTimestamp(), succeeded: false);

        var measurement = Assert.Single(collector.GetMeasurementSnapshot());
        Assert.InRange(measurement.Value, 0, 1);
        Assert.Equal("failure", measurement.Tags["sms_code_gate.store.outcome"]);
    }
}
