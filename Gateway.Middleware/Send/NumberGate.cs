using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Requests;
using Gateway.Middleware.Numbers;
using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Send;

/// <summary>
/// The send route's number step, after the mobile is read and before the store is called: reads the mobile with
/// libphonenumber and applies the policy's number rules. A mobile it cannot read gets the policy's <c>InvalidMobile</c>
/// answer; a refused number the <c>NumberRefused</c> answer (403), or, in <c>Shadow</c> mode, is counted, logged and let
/// through. A policy without <c>CountryCode</c> or rules costs nothing here.
/// </summary>
/// <remarks>
/// Not applied on verify: a code already sent may be verified whatever rule was added since; refusing it would strand
/// the user the code was sent to, and a verify costs no SMS.
/// </remarks>
internal sealed partial class NumberGate : ISmsCodeSendCheck
{
    private readonly SmsCodeGateMetrics _metrics;
    private readonly LogThrottle _throttle;
    private readonly ILogger<NumberGate> _logger;

    public NumberGate(SmsCodeGateMetrics metrics, LogThrottle throttle, ILogger<NumberGate> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(logger);
        _metrics = metrics;
        _throttle = throttle;
        _logger = logger;
    }

    /// <summary>Null when the send may go on; else the refusal (<c>InvalidMobile</c> or <c>NumberRefused</c>) to answer and count.</summary>
    public SendRefusal? Check(SmsCodeGateContext gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var policy = gate.Policy;
        if (!policy.ReadsNumbers)
        {
            return null;
        }

        if (!policy.TryReadNumber(gate.Mobile, out var number))
        {
            return Refuse(policy, gate.Mobile, SmsCodeGateResults.InvalidMobile, SmsCodeAnswerKind.InvalidMobile, "unreadable", PhoneNumberReader.UnknownRegion);
        }

        gate.Number = number;
        var refusal = policy.NumberRules?.Check(number) ?? NumberRefusal.None;
        if (refusal == NumberRefusal.None)
        {
            return null;
        }

        if (policy.NumberRules!.Mode == SmsCodeRuleMode.Shadow)
        {
            _metrics.Request(policy.Name, SmsCodeGateResults.ShadowNumberRefused);
            if (_throttle.ShouldLog(EventIds.ShadowNumberRefused, policy.Name, out var suppressed))
            {
                Log.ShadowNumberRefused(_logger, policy.Name, MobileMask.Mask(gate.Mobile), number.Region, ReasonOf(refusal), suppressed);
            }

            return null;
        }

        return Refuse(policy, gate.Mobile, SmsCodeGateResults.NumberRefused, SmsCodeAnswerKind.NumberRefused, ReasonOf(refusal), number.Region);
    }

    private SendRefusal Refuse(SmsCodePolicy policy, string mobile, string result, SmsCodeAnswerKind answer, string reason, string region)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.NumberRefused(_logger, policy.Name, MobileMask.Mask(mobile), region, reason);
        }

        return new SendRefusal(result, answer, reason);
    }

    private static string ReasonOf(NumberRefusal refusal) => refusal switch
    {
        NumberRefusal.Region => "region",
        NumberRefusal.Prefix => "prefix",
        NumberRefusal.Type => "type",
        _ => "none",
    };

    private static partial class Log
    {
        // Refusals are Debug, as the gate's other refusals: the metric counts them, and a flood must not become one of lines.
        [LoggerMessage(EventIds.NumberRefused, LogLevel.Debug, "SMS send refused by the number rules: policy {Policy}, mobile {Mobile}, region {Region}, rule {Rule}.", EventName = nameof(EventIds.NumberRefused), SkipEnabledCheck = true)]
        public static partial void NumberRefused(ILogger logger, string policy, string mobile, string region, string rule);

        [LoggerMessage(EventIds.ShadowNumberRefused, LogLevel.Information, "Number rules in Shadow mode would refuse: policy {Policy}, mobile {Mobile}, region {Region}, rule {Rule}; let through. {Suppressed} more since the last such line.", EventName = nameof(EventIds.ShadowNumberRefused))]
        public static partial void ShadowNumberRefused(ILogger logger, string policy, string mobile, string region, string rule, long suppressed);
    }
}
