using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.Middleware.Diagnostics;

/// <summary>The gate's instruments, all <c>sms_code_gate.*</c> under the meter <see cref="SmsCodeGateDiagnostics.MeterName"/>.</summary>
internal sealed class SmsCodeGateMetrics
{
    private const string PolicyTag = "sms_code_gate.policy";
    private const string ResultTag = "sms_code_gate.result";
    private const string OutcomeTag = "sms_code_gate.store.outcome";
    private const string ErrorTypeTag = "error.type";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _storeDuration;
    private readonly Histogram<double> _providerDuration;
    private readonly Counter<long> _blocksBlocked;

    public SmsCodeGateMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(SmsCodeGateDiagnostics.MeterName);
        _requests = meter.CreateCounter<long>("sms_code_gate.requests", "{request}",
            "Requests the gate handled, by result: every exit, from issued to each refusal and failure.");
        _storeDuration = meter.CreateHistogram<double>("sms_code_gate.store.duration", "s",
            "Duration of the gate's atomic store call.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _providerDuration = meter.CreateHistogram<double>("sms_code_gate.provider.duration", "s",
            "Duration of the forward to the SMS provider, its answer and a retry on another destination included, by result.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _blocksBlocked = meter.CreateCounter<long>("sms_code_gate.blocks.blocked", "{block}",
            "Number blocks the conversion guard blocked, by mode (enforce, shadow); the blocks themselves are in the logs, not in labels.");
    }

    /// <summary>Counts one number block blocked by the conversion guard.</summary>
    public void BlockBlocked(string policy, bool shadow)
    {
        if (_blocksBlocked.Enabled)
        {
            _blocksBlocked.Add(1, new KeyValuePair<string, object?>(PolicyTag, policy), new KeyValuePair<string, object?>("sms_code_gate.mode", shadow ? "shadow" : "enforce"));
        }
    }

    /// <summary>Counts one request under its <paramref name="result"/> (<see cref="SmsCodeGateResults"/>).</summary>
    public void Request(string policy, string result)
    {
        if (_requests.Enabled)
        {
            _requests.Add(1, new KeyValuePair<string, object?>(PolicyTag, policy), new KeyValuePair<string, object?>(ResultTag, result));
        }
    }

    /// <summary>Counts one failed request under its <paramref name="result"/>, with what failed as <c>error.type</c>.</summary>
    public void Request(string policy, string result, string errorType)
    {
        if (_requests.Enabled)
        {
            _requests.Add(
                1,
                new KeyValuePair<string, object?>(PolicyTag, policy),
                new KeyValuePair<string, object?>(ResultTag, result),
                new KeyValuePair<string, object?>(ErrorTypeTag, errorType));
        }
    }

    /// <summary>
    /// The start of a store call for <see cref="StoreCallCompleted"/>: a timestamp while the histogram is listened
    /// to, else 0 (no clock read, and nothing recorded).
    /// </summary>
    public long StoreCallStarted() => _storeDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records one store call begun at <paramref name="startTimestamp"/> (<see cref="StoreCallStarted"/>), unless that is 0.</summary>
    public void StoreCallCompleted(string policy, long startTimestamp, bool succeeded)
    {
        if (startTimestamp != 0 && _storeDuration.Enabled)
        {
            _storeDuration.Record(
                Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>(PolicyTag, policy),
                new KeyValuePair<string, object?>(OutcomeTag, succeeded ? "success" : "failure"));
        }
    }

    /// <summary>The start of a forward for <see cref="ProviderCallCompleted"/>: a timestamp while the histogram is listened to, else 0.</summary>
    public long ProviderCallStarted() => _providerDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>
    /// Records one forward to the provider begun at <paramref name="startTimestamp"/> (<see cref="ProviderCallStarted"/>,
    /// nothing when 0) that ended as <paramref name="result"/> (issued, or how it failed).
    /// </summary>
    public void ProviderCallCompleted(string policy, long startTimestamp, string result)
    {
        if (startTimestamp != 0 && _providerDuration.Enabled)
        {
            _providerDuration.Record(
                Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>(PolicyTag, policy),
                new KeyValuePair<string, object?>(ResultTag, result));
        }
    }
}
