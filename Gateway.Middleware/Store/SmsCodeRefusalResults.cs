using Gateway.Middleware.Diagnostics;

namespace Gateway.Middleware.Store;

/// <summary>The result each refusal is counted under (<see cref="SmsCodeGateResults"/>).</summary>
internal static class SmsCodeRefusalResults
{
    /// <summary>The snake_case result a send refused for <paramref name="reason"/> is counted under.</summary>
    public static string ToGateResult(this SmsCodeRefusal reason) => reason switch
    {
        SmsCodeRefusal.Interval => SmsCodeGateResults.RefusedInterval,
        SmsCodeRefusal.Hour => SmsCodeGateResults.RefusedHour,
        SmsCodeRefusal.Day => SmsCodeGateResults.RefusedDay,
        SmsCodeRefusal.Ip => SmsCodeGateResults.RefusedIp,
        SmsCodeRefusal.Spend => SmsCodeGateResults.SpendGuard,
        _ => "refused_unknown",
    };
}
