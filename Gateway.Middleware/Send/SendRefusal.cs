using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;

namespace Gateway.Middleware.Send;

/// <summary>
/// A send the gate refuses before anything is forwarded: the result it is counted under, the policy answer it gets,
/// and the reason its log line gives. A pre-store check (<see cref="ISmsCodeSendCheck"/>) returns one; the store's
/// refusals map to one here, in one place (<see cref="Of"/>).
/// </summary>
/// <param name="Result">The <c>sms_code_gate.requests</c> result (<see cref="SmsCodeGateResults"/>).</param>
/// <param name="Answer">The policy's answer to write.</param>
/// <param name="Reason">A short snake_case word for the Debug log line.</param>
/// <param name="RetryAfterSeconds">
/// The answer's <c>{retryAfter}</c>, and its <c>Retry-After</c> when positive (the <see cref="SmsCodeAnswerKind.Refused"/> and
/// <see cref="SmsCodeAnswerKind.SpendGuard"/> answers always send one, as the legacy view's wait).
/// </param>
internal readonly record struct SendRefusal(string Result, SmsCodeAnswerKind Answer, string Reason, long RetryAfterSeconds = 0)
{
    /// <summary>The refusal for a store call that did not issue a code (any refusal but a repeat).</summary>
    public static SendRefusal Of(SmsCodeIssueResult result) => result.Refusal switch
    {
        SmsCodeRefusal.Interval => new(SmsCodeGateResults.RefusedInterval, SmsCodeAnswerKind.Refused, "interval", result.RetryAfterSeconds),
        SmsCodeRefusal.Hour => new(SmsCodeGateResults.RefusedHour, SmsCodeAnswerKind.Refused, "hour", result.RetryAfterSeconds),
        SmsCodeRefusal.Day => new(SmsCodeGateResults.RefusedDay, SmsCodeAnswerKind.Refused, "day", result.RetryAfterSeconds),
        SmsCodeRefusal.Ip => new(SmsCodeGateResults.RefusedIp, SmsCodeAnswerKind.Refused, "ip", result.RetryAfterSeconds),
        SmsCodeRefusal.Spend => new(SmsCodeGateResults.SpendGuard, SmsCodeAnswerKind.SpendGuard, "spend", result.RetryAfterSeconds),
        SmsCodeRefusal.Block => new(SmsCodeGateResults.BlockRefused, SmsCodeAnswerKind.BlockRefused, "block_conversion", result.RetryAfterSeconds),
        SmsCodeRefusal.BlockHour => new(SmsCodeGateResults.BlockCapRefused, SmsCodeAnswerKind.BlockRefused, "block_cap", result.RetryAfterSeconds),
        _ => new("refused_unknown", SmsCodeAnswerKind.Refused, "unknown", result.RetryAfterSeconds),
    };
}
