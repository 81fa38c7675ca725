using Gateway.Middleware.Configuration;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Gate;
using Gateway.Middleware.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Blocks;

/// <summary>
/// The send route's side of number blocks, after the issue call (which checked and counted the block in the same
/// script): answers a block's refusal (<c>BlockRefused</c>, 403, nothing forwarded), and counts and logs what the call
/// saw: a block it blocked, and a refusal that shadow mode let through.
/// </summary>
internal sealed partial class BlockGate
{
    private readonly SmsCodeGateMetrics _metrics;
    private readonly LogThrottle _throttle;
    private readonly ILogger<BlockGate> _logger;

    public BlockGate(SmsCodeGateMetrics metrics, LogThrottle throttle, ILogger<BlockGate> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(logger);
        _metrics = metrics;
        _throttle = throttle;
        _logger = logger;
    }

    /// <summary>True for the refusals this class answers.</summary>
    public static bool Refuses(in SmsCodeIssueResult result) => result.Refusal is SmsCodeRefusal.Block or SmsCodeRefusal.BlockHour;

    /// <summary>Counts and logs what the issue call saw of the mobile's block: a block it blocked, a shadow refusal.</summary>
    public void Observe(SmsCodePolicy policy, in SmsCodeBlock block, in SmsCodeIssueResult result)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!block.IsOn)
        {
            return;
        }

        var seen = result.Block;
        if (seen.BlockedNow)
        {
            _metrics.BlockBlocked(policy.Name, block.Shadow);
            if (_throttle.ShouldLog(EventIds.BlockBlocked, policy.Name + ":" + block.Block, out var suppressed))
            {
                Log.Blocked(_logger, policy.Name, block.Block, seen.Sends, seen.Verified, block.BlockForMilliseconds / 1000, block.Shadow ? "shadow" : "enforce", suppressed);
            }
        }

        if (seen.ShadowRefusal != SmsCodeRefusal.None)
        {
            _metrics.Request(policy.Name, SmsCodeGateResults.ShadowBlockRefused);
            if (_throttle.ShouldLog(EventIds.ShadowBlockRefused, policy.Name, out var suppressed))
            {
                Log.ShadowRefused(_logger, policy.Name, block.Block, ReasonOf(seen.ShadowRefusal), suppressed);
            }
        }
    }

    /// <summary>Answers a block's refusal: counted by rule, <c>BlockRefused</c> with <c>Retry-After</c>.</summary>
    public Task RefuseAsync(HttpContext context, SmsCodePolicy policy, string block, SmsCodeIssueResult result)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        _metrics.Request(policy.Name, SmsCodeGateMetrics.ResultOf(result.Refusal));
        var retryAfter = result.RetryAfterSeconds;
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Refused(_logger, policy.Name, block, ReasonOf(result.Refusal), retryAfter);
        }

        context.Response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(retryAfter);
        return policy.Answers[SmsCodeAnswerKind.BlockRefused].WriteAsync(context.Response, retryAfter);
    }

    private static string ReasonOf(SmsCodeRefusal refusal) => refusal == SmsCodeRefusal.BlockHour ? "cap" : "conversion";

    private static partial class Log
    {
        [LoggerMessage(EventIds.BlockBlocked, LogLevel.Warning, "Number block {Block} blocked by the conversion guard: policy {Policy}, {Sends} sends and {Verified} verifications in the window; blocked for {BlockForSeconds} s ({Mode}). {Suppressed} more since the last such line.", EventName = nameof(EventIds.BlockBlocked))]
        public static partial void Blocked(ILogger logger, string policy, string block, long sends, long verified, long blockForSeconds, string mode, long suppressed);

        // Refusals are Debug, as the gate's other refusals: the metric counts them, and a flood must not become one of lines.
        [LoggerMessage(EventIds.BlockRefused, LogLevel.Debug, "SMS send refused for number block {Block}: policy {Policy}, rule {Rule}; retry after {RetryAfter} s.", EventName = nameof(EventIds.BlockRefused), SkipEnabledCheck = true)]
        public static partial void Refused(ILogger logger, string policy, string block, string rule, long retryAfter);

        [LoggerMessage(EventIds.ShadowBlockRefused, LogLevel.Information, "Block rules in Shadow mode would refuse: policy {Policy}, number block {Block}, rule {Rule}; let through. {Suppressed} more since the last such line.", EventName = nameof(EventIds.ShadowBlockRefused))]
        public static partial void ShadowRefused(ILogger logger, string policy, string block, string rule, long suppressed);
    }
}
