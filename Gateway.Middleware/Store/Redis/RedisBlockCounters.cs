using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// Redis Cluster's number blocks. A block spans many mobiles, so its keys cannot share every mobile's hash slot: its
/// rules run in its own slot (<c>reserve_block.lua</c>), sent beside the rest of the issue (the mobile's script, after
/// the side counters if any) so that a send still costs one round trip in latency, and the two answers are combined
/// here. The mobile's script reads whether the mobile is remembered, which decides whether a blocked block refuses it.
/// Elsewhere (one server, Sentinel) the issue script checks and counts the block itself.
/// </summary>
/// <remarks>
/// Never a code without an SMS attempt: when the block refuses a send that the mobile's script issued, the issue is
/// revoked (by its nonce) before the refusal is answered; when either call fails, no SMS goes out and the other call's
/// work is taken back. What can be left behind is a block's send counted once too many (a count that lands after its
/// call timed out): it makes the block's conversion look lower and its cap nearer, so it refuses, it never lets through.
/// </remarks>
internal sealed partial class RedisBlockCounters
{
    private readonly RedisScriptRunner _scripts;
    private readonly ILogger _logger;
    private readonly LogThrottle _throttle;

    public RedisBlockCounters(RedisScriptRunner scripts, ILogger logger, LogThrottle throttle)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(throttle);
        _scripts = scripts;
        _logger = logger;
        _throttle = throttle;
    }

    /// <summary>Whether the send's block is handled here: the send has a block, on Redis Cluster (its keys never go in the mobile's script there).</summary>
    public bool AppliesTo(in SmsCodeIssueRequest request) => request.Block.IsOn && _scripts.Deployment == RedisDeployment.Cluster;

    /// <summary>Whether a successful verification is counted for the block here: the conversion guard is on, on Redis Cluster.</summary>
    public bool AppliesTo(in SmsCodeVerifyRequest request) => request.Block.Guards && _scripts.Deployment == RedisDeployment.Cluster;

    /// <summary>
    /// Runs the block's script and <paramref name="issueRest"/> (given the request without the block, reading the
    /// remembered key) at once, and combines them as issue.lua would; revokes with <paramref name="revokeRest"/> what
    /// the rest issued when the block refuses it.
    /// </summary>
    public async ValueTask<SmsCodeIssueResult> IssueAsync(
        SmsCodeIssueRequest request, Func<SmsCodeIssueRequest, ValueTask<SmsCodeIssueResult>> issueRest, Func<SmsCodeIssueRequest, ValueTask<bool>> revokeRest)
    {
        var block = request.Block;
        if (!block.Guards && block.MaxPerHour <= 0)
        {
            // No block rule on (only PrefixLength set): nothing to check or count, and no key of the block to send.
            return await issueRest(request with { Block = SmsCodeBlock.Off }).ConfigureAwait(false);
        }

        var reserving = ReserveAsync(request.Database, block);
        var rest = request with { Block = SmsCodeBlock.Off, RememberedKey = block.Guards ? block.RememberedKey : null };
        SmsCodeIssueResult issued;
        try
        {
            issued = await issueRest(rest).ConfigureAwait(false);
        }
        catch (SmsCodeStoreUnavailableException)
        {
            // No SMS. The mobile's script revokes itself should it land late (IssueAtomicallyAsync); the block's count is taken back.
            _ = ReleaseWhenCountedAsync(request.Database, block, reserving);
            throw;
        }

        BlockReservation reserved;
        try
        {
            reserved = await reserving.ConfigureAwait(false);
        }
        catch (SmsCodeStoreUnavailableException)
        {
            if (!issued.IsIssued)
            {
                // The mobile's own refusal stands whatever the block says (a late count of the block is not taken back).
                return issued;
            }

            // No SMS without the block's answer: the issue is taken back before the 503.
            await RevokeRestAsync(rest, revokeRest).ConfigureAwait(false);
            throw;
        }

        var outcome = new SmsCodeBlockOutcome(SmsCodeRefusal.None, reserved.BlockedNow, reserved.Sends, reserved.Verified);
        if (!issued.IsIssued)
        {
            if (reserved.Counted)
            {
                await ReleaseAsync(request.Database, block).ConfigureAwait(false);
            }

            return issued with { Block = outcome };
        }

        var refusal = RefusalOf(reserved, issued.Block.Remembered);
        if (refusal.IsIssued)
        {
            return issued with { Block = outcome };
        }

        if (block.Shadow)
        {
            return issued with { Block = outcome with { ShadowRefusal = refusal.Refusal } };
        }

        // The block refuses a send the mobile's script issued: the issue is taken back before the 403, with its counts.
        var releasing = reserved.Counted ? ReleaseAsync(request.Database, block) : Task.CompletedTask;
        await RevokeRestAsync(rest, revokeRest).ConfigureAwait(false);
        await releasing.ConfigureAwait(false);
        return refusal with { Block = outcome };
    }

    /// <summary>Revokes with <paramref name="revokeRest"/> (given the request without the block) and, if it revoked, takes the block's send back.</summary>
    public async ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request, Func<SmsCodeIssueRequest, ValueTask<bool>> revokeRest)
    {
        var revoked = await revokeRest(request with { Block = SmsCodeBlock.Off }).ConfigureAwait(false);
        if (revoked && (request.Block.Guards || request.Block.MaxPerHour > 0))
        {
            await ReleaseAsync(request.Database, request.Block).ConfigureAwait(false);
        }

        return revoked;
    }

    /// <summary>Counts a successful verification for the request's block. Never throws: a failure is logged, and the verification stands.</summary>
    public async Task CountVerifiedAsync(SmsCodeVerifyRequest request)
    {
        try
        {
            RedisValue[] values = [request.Block.WindowMilliseconds];
            await _scripts.RunAsync(request.Database, RedisScripts.Embedded.BlockVerified, [request.Block.CounterKey], values, honourBreaker: false).ConfigureAwait(false);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            if (_throttle.ShouldLog(EventIds.BlockVerifiedNotCounted, string.Empty, out var suppressed))
            {
                Log.VerifiedNotCounted(_logger, ex.Message, suppressed);
            }
        }
    }

    /// <summary>The block's refusal of a mobile the rest issued, as issue.lua's order has it: blocked and not remembered, then the cap.</summary>
    private static SmsCodeIssueResult RefusalOf(in BlockReservation reserved, bool remembered) =>
        reserved.Blocked && !remembered ? new(SmsCodeRefusal.Block, reserved.BlockedMilliseconds)
        : reserved.Capped ? new(SmsCodeRefusal.BlockHour, reserved.CapMilliseconds)
        : SmsCodeIssueResult.Issued;

    private async Task<BlockReservation> ReserveAsync(int database, SmsCodeBlock block)
    {
        // A key whose rule is off goes as another of the block's, untouched: every key of the call shares one slot.
        var counter = block.Guards ? block.CounterKey : block.HourCounterKey;
        RedisKey[] keys = [counter, block.MaxPerHour > 0 ? block.HourCounterKey : counter, block.Guards ? block.BlockedKey : counter];
        RedisValue[] values = [block.MaxPerHour, block.WindowMilliseconds, block.MinSends, block.Guards ? block.MinConversion : 0, block.BlockForMilliseconds, block.Shadow ? 1 : 0];
        return BlockReservation.Of(await _scripts.RunAsync(database, RedisScripts.Embedded.ReserveBlock, keys, values, honourBreaker: true).ConfigureAwait(false));
    }

    private async Task ReleaseWhenCountedAsync(int database, SmsCodeBlock block, Task<BlockReservation> reserving)
    {
        try
        {
            if (!(await reserving.ConfigureAwait(false)).Counted)
            {
                return;
            }
        }
        catch (SmsCodeStoreUnavailableException)
        {
            return;
        }

        await ReleaseAsync(database, block).ConfigureAwait(false);
    }

    /// <summary>Takes back one send that reserve_block.lua counted. Never throws: a failure is logged, and the count expires with its window.</summary>
    private async Task ReleaseAsync(int database, SmsCodeBlock block)
    {
        var counter = block.Guards ? block.CounterKey : block.HourCounterKey;
        RedisValue[] values = [block.MaxPerHour, block.Guards ? block.MinConversion : 0];
        await _scripts.TakeBackAsync(database, RedisScripts.Embedded.ReleaseBlock, [counter, block.MaxPerHour > 0 ? block.HourCounterKey : counter], values).ConfigureAwait(false);
    }

    /// <summary>Takes back what the rest issued. Never throws: a failure is logged, and the flag and code expire with their TTLs.</summary>
    private async Task RevokeRestAsync(SmsCodeIssueRequest rest, Func<SmsCodeIssueRequest, ValueTask<bool>> revokeRest)
    {
        try
        {
            await revokeRest(rest with { RememberedKey = null }).ConfigureAwait(false);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            if (_throttle.ShouldLog(EventIds.BlockRevokeFailed, string.Empty, out var suppressed))
            {
                Log.RevokeFailed(_logger, ex.Message, suppressed);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.BlockRevokeFailed, LogLevel.Warning, "Could not take back an issue that its number block refused on Redis Cluster: {StoreFailure}. No SMS went out; the send flag and code expire with their TTLs. {Suppressed} more since the last such line.", EventName = nameof(EventIds.BlockRevokeFailed))]
        public static partial void RevokeFailed(ILogger logger, string storeFailure, long suppressed);

        [LoggerMessage(EventIds.BlockVerifiedNotCounted, LogLevel.Warning, "Could not count a verification for its number block on Redis Cluster: {StoreFailure}. The verification stands and the mobile is remembered; the block's conversion is one short. {Suppressed} more since the last such line.", EventName = nameof(EventIds.BlockVerifiedNotCounted))]
        public static partial void VerifiedNotCounted(ILogger logger, string storeFailure, long suppressed);
    }
}
