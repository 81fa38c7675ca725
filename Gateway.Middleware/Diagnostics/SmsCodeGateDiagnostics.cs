namespace Gateway.Middleware.Diagnostics;

/// <summary>Names an operator needs to collect the gate's telemetry.</summary>
public static class SmsCodeGateDiagnostics
{
    /// <summary>
    /// The meter of the gate's instruments: <c>sms_code_gate.codes.issued</c>, <c>sms_code_gate.sends.refused</c>
    /// (by <c>sms_code_gate.refusal.reason</c>), <c>sms_code_gate.provider.failures</c>,
    /// <c>sms_code_gate.store.unavailable</c> and the histogram <c>sms_code_gate.store.duration</c>.
    /// </summary>
    public const string MeterName = "Gateway.SmsCodeGate";
}
