using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Microsoft.Extensions.Logging;

namespace Gateway.Middleware.Blocks;

/// <summary>
/// The send route's side of number blocks, after the issue call (which checked and counted the block in the same
/// script): counts and logs what the call saw, a block it blocked and a refusal that shadow mode let through. A block's
/// refusal itself (<c>BlockRefused</c>, 403, nothing forwarded) is answered as the store's other refusals (<c>SendRefusal</c>).
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

    private static string ReasonOf(SmsCodeRefusal refusal) => refusal == SmsCodeRefusal.BlockHour ? "cap" : "conversion";

    private static partial class Log
    {
        [LoggerMessage(EventIds.BlockBlocked, LogLevel.Warning, "Number block {Block} blocked by the conversion guard: policy {Policy}, {Sends} sends and {Verified} verifications in the window; blocked for {BlockForSeconds} s ({Mode}). {Suppressed} more since the last such line.", EventName = nameof(EventIds.BlockBlocked))]
        public static partial void Blocked(ILogger logger, string policy, string block, long sends, long verified, long blockForSeconds, string mode, long suppressed);

        [LoggerMessage(EventIds.ShadowBlockRefused, LogLevel.Information, "Block rules in Shadow mode would refuse: policy {Policy}, number block {Block}, rule {Rule}; let through. {Suppressed} more since the last such line.", EventName = nameof(EventIds.ShadowBlockRefused))]
        public static partial void ShadowRefused(ILogger logger, string policy, string block, string rule, long suppressed);
    }
}
