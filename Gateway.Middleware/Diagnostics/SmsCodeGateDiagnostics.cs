namespace Gateway.Middleware.Diagnostics;

/// <summary>Names an operator needs to collect the gate's telemetry.</summary>
public static class SmsCodeGateDiagnostics
{
    /// <summary>
    /// The meter of the gate's instruments, each named <c>sms_code_gate.*</c>: the counter
    /// <c>sms_code_gate.requests</c> (one per request, by <c>sms_code_gate.policy</c> and <c>sms_code_gate.result</c>,
    /// see <see cref="SmsCodeGateResults"/>; a store failure or an exception adds <c>error.type</c>) and the histograms (seconds)
    /// <c>sms_code_gate.store.duration</c> of the send's store call and <c>sms_code_gate.provider.duration</c> of the
    /// forward to the SMS provider.
    /// </summary>
    public const string MeterName = "SmsCodeGate";
}
