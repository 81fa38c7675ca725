using Gateway.Middleware.Configuration;
using Gateway.Middleware.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Numbers;

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
internal sealed partial class NumberGate
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

    /// <summary>True when the send may go on; false once the answer (<c>InvalidMobile</c> or <c>NumberRefused</c>) is written and counted.</summary>
    public ValueTask<bool> AllowsAsync(HttpContext context, SmsCodePolicy policy, string mobile)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.ReadsNumbers)
        {
            return new ValueTask<bool>(true);
        }

        if (!PhoneNumberReader.TryRead(policy, mobile, out var number))
        {
            return AnswerAsync(context, policy, mobile, SmsCodeGateResults.InvalidMobile, SmsCodeAnswerKind.InvalidMobile, "unreadable");
        }

        var refusal = policy.NumberRules?.Check(number) ?? NumberRefusal.None;
        if (refusal == NumberRefusal.None)
        {
            return new ValueTask<bool>(true);
        }

        if (policy.NumberRules!.Mode == SmsCodeRuleMode.Shadow)
        {
            _metrics.Request(policy.Name, SmsCodeGateResults.ShadowNumberRefused);
            if (_throttle.ShouldLog(EventIds.ShadowNumberRefused, policy.Name, out var suppressed))
            {
                Log.ShadowNumberRefused(_logger, policy.Name, MobileMask.Mask(mobile), number.Region, ReasonOf(refusal), suppressed);
            }

            return new ValueTask<bool>(true);
        }

        return AnswerAsync(context, policy, mobile, SmsCodeGateResults.NumberRefused, SmsCodeAnswerKind.NumberRefused, ReasonOf(refusal), number.Region);
    }

    private async ValueTask<bool> AnswerAsync(HttpContext context, SmsCodePolicy policy, string mobile, string result, SmsCodeAnswerKind answer, string reason, string? region = null)
    {
        _metrics.Request(policy.Name, result);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.NumberRefused(_logger, policy.Name, MobileMask.Mask(mobile), region ?? PhoneNumberReader.UnknownRegion, reason);
        }

        await policy.Answers[answer].WriteAsync(context.Response);
        return false;
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
