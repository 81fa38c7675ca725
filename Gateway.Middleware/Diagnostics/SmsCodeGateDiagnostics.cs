namespace Gateway.Middleware.Diagnostics;

/// <summary>Names an operator needs to collect the gate's telemetry.</summary>
public static class SmsCodeGateDiagnostics
{
    /// <summary>
    /// The meter of the gate's instruments, each named <c>sms_code_gate.*</c>: the counter
    /// <c>sms_code_gate.requests</c> (one per request, by <c>sms_code_gate.policy</c> and <c>sms_code_gate.result</c>,
    /// see <see cref="SmsCodeGateResults"/>; with <c>error.type</c> on a failure) and the histogram
    /// <c>sms_code_gate.store.duration</c> (seconds).
    /// </summary>
    public const string MeterName = "SmsCodeGate";
}
