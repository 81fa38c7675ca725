using System.Diagnostics.Metrics;
using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Gateway.Middleware.Tests.Diagnostics;

public sealed class SmsCodeGateMetricsTests
{
    [Fact]
    public void Request_RecordsOneWithPolicyAndResultAndNoErrorType()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var metrics = new SmsCodeGateMetrics(meterFactory);
        using var collector = new MetricCollector<long>(meterFactory, SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");

        metrics.Request("legacy-sms", SmsCodeGateResults.RefusedHour);

        var measurement = Assert.Single(collector.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("legacy-sms", measurement.Tags["sms_code_gate.policy"]);
        Assert.Equal("refused_hour", measurement.Tags["sms_code_gate.result"]);
        Assert.False(measurement.Tags.ContainsKey("error.type"));
    }

    [Fact]
    public void Request_WithErrorType_CarriesItAsErrorType()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var metrics = new SmsCodeGateMetrics(meterFactory);
        using var collector = new MetricCollector<long>(meterFactory, SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");

        metrics.Request("legacy-sms", SmsCodeGateResults.StoreUnavailable, "timeout");

        var measurement = Assert.Single(collector.GetMeasurementSnapshot());
        Assert.Equal("store_unavailable", measurement.Tags["sms_code_gate.result"]);
        Assert.Equal("timeout", measurement.Tags["error.type"]);
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

    [Fact]
    public void BlockBlocked_CountsOneWithPolicyAndModeAndNoNumber()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var metrics = new SmsCodeGateMetrics(meterFactory);
        using var collector = new MetricCollector<long>(meterFactory, SmsCodeGateDiagnostics.MeterName, "sms_code_gate.blocks.blocked");

        metrics.BlockBlocked("legacy-sms", shadow: true);

        var measurement = Assert.Single(collector.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal(["sms_code_gate.mode", "sms_code_gate.policy"], measurement.Tags.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("shadow", measurement.Tags["sms_code_gate.mode"]);
    }

    [Fact]
    public void ProviderCallCompleted_RecordsDurationInSecondsWithResult()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var metrics = new SmsCodeGateMetrics(meterFactory);
        using var collector = new MetricCollector<double>(meterFactory, SmsCodeGateDiagnostics.MeterName, "sms_code_gate.provider.duration");

        metrics.ProviderCallCompleted("legacy-sms", System.Diagnostics.Stopwatch.GetTimestamp(), SmsCodeGateResults.ProviderTimeout);

        var measurement = Assert.Single(collector.GetMeasurementSnapshot());
        Assert.InRange(measurement.Value, 0, 1);
        Assert.Equal("legacy-sms", measurement.Tags["sms_code_gate.policy"]);
        Assert.Equal("provider_timeout", measurement.Tags["sms_code_gate.result"]);
    }

    [Fact]
    public void StoreCallStarted_Listened_CompletedCallRecordedOnce()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var metrics = new SmsCodeGateMetrics(meterFactory);
        using var collector = new MetricCollector<double>(meterFactory, SmsCodeGateDiagnostics.MeterName, "sms_code_gate.store.duration");

        var started = metrics.StoreCallStarted();
        metrics.StoreCallCompleted("legacy-sms", started, succeeded: true);

        var measurement = Assert.Single(collector.GetMeasurementSnapshot());
        Assert.InRange(measurement.Value, 0, 1);
        Assert.Equal("success", measurement.Tags["sms_code_gate.store.outcome"]);
    }

    [Fact]
    public void ProviderCallStarted_Listened_CompletedCallRecordedOnce()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var metrics = new SmsCodeGateMetrics(meterFactory);
        using var collector = new MetricCollector<double>(meterFactory, SmsCodeGateDiagnostics.MeterName, "sms_code_gate.provider.duration");

        metrics.ProviderCallCompleted("legacy-sms", metrics.ProviderCallStarted(), SmsCodeGateResults.Issued);

        var measurement = Assert.Single(collector.GetMeasurementSnapshot());
        Assert.InRange(measurement.Value, 0, 1);
        Assert.Equal("issued", measurement.Tags["sms_code_gate.result"]);
    }

    [Fact]
    public void Instruments_AllUnderTheMeter_NamedWithItsSnakeCasePrefix()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var names = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == SmsCodeGateDiagnostics.MeterName)
                {
                    names.Add(instrument.Name);
                }
            },
        };
        listener.Start();

        _ = new SmsCodeGateMetrics(meterFactory);

        var prefix = System.Text.RegularExpressions.Regex.Replace(SmsCodeGateDiagnostics.MeterName, "(?<!^)[A-Z]", "_$0").ToLowerInvariant() + ".";
        Assert.Equal("sms_code_gate.", prefix);
        Assert.Equal(
            ["sms_code_gate.blocks.blocked", "sms_code_gate.provider.duration", "sms_code_gate.requests", "sms_code_gate.store.duration"],
            names.Distinct().Order(StringComparer.Ordinal));
    }
}
