using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Middleware.Store;

/// <summary>
/// Redis Cluster's side counters: the per-IP and spend counters cannot share a mobile's hash slot, so they are counted
/// by their own scripts first (in parallel), and taken back when the mobile's script refuses or the call fails.
/// </summary>
internal sealed partial class RedisSmsCodeStore
{
    private async ValueTask<SmsCodeIssueResult> IssueWithSideCountersAsync(SmsCodeIssueRequest request)
    {
        var sideCounters = SideCountersOf(request);
        var (refusal, reserved) = await ReserveAsync(request.Database, sideCounters).ConfigureAwait(false);
        if (!refusal.IsIssued)
        {
            await ReleaseAsync(request.Database, reserved).ConfigureAwait(false);
            return refusal;
        }

        SmsCodeIssueResult result;
        try
        {
            result = await IssueAtomicallyAsync(WithoutSideCounters(request)).ConfigureAwait(false);
        }
        catch (SmsCodeStoreUnavailableException)
        {
            // The mobile's script revokes itself if it lands late; its side counts are taken back here.
            _ = ReleaseAsync(request.Database, reserved);
            throw;
        }

        if (!result.IsIssued)
        {
            await ReleaseAsync(request.Database, reserved).ConfigureAwait(false);
        }

        return result;
    }

    private bool CountsOutsideTheMobilesSlot(in SmsCodeIssueRequest request) =>
        (request.PerIpPerHour.IsOn || request.SendsPerMinute.IsOn) && _redis.Deployment == RedisDeployment.Cluster;

    private static SmsCodeIssueRequest WithoutSideCounters(in SmsCodeIssueRequest request) =>
        request with { PerIpPerHour = SmsCodeCounter.Off, SendsPerMinute = SmsCodeCounter.Off };

    private static List<SmsCodeCounter> SideCountersOf(in SmsCodeIssueRequest request)
    {
        var counters = new List<SmsCodeCounter>(2);
        if (request.PerIpPerHour.IsOn)
        {
            counters.Add(request.PerIpPerHour);
        }

        if (request.SendsPerMinute.IsOn)
        {
            counters.Add(request.SendsPerMinute);
        }

        return counters;
    }

    /// <summary>Counts the side counters in parallel; the first refusal (longest wait) wins, and what was counted is returned for release.</summary>
    private async Task<(SmsCodeIssueResult Refusal, List<SmsCodeCounter> Reserved)> ReserveAsync(int database, List<SmsCodeCounter> counters)
    {
        SmsCodeStoreUnavailableException? failure = null;
        var calls = new Task<RedisResult>[counters.Count];
        for (var i = 0; i < counters.Count; i++)
        {
            calls[i] = EvaluateAsync(database, _scripts.Reserve, [counters[i].Key!], [counters[i].Limit, counters[i].WindowMilliseconds], honourBreaker: true).AsTask();
        }

        var reserved = new List<SmsCodeCounter>(counters.Count);
        var refusal = SmsCodeIssueResult.Issued;
        for (var i = 0; i < calls.Length; i++)
        {
            try
            {
                var (counted, left) = ReserveResultOf(await calls[i].ConfigureAwait(false));
                if (counted)
                {
                    reserved.Add(counters[i]);
                }
                else if (left > refusal.RetryAfterMilliseconds || refusal.IsIssued)
                {
                    refusal = new SmsCodeIssueResult(counters[i].Refusal, Math.Max(1, left));
                }
            }
            catch (SmsCodeStoreUnavailableException ex)
            {
                // A count that lands late is not taken back: it expires with its window (over-counting refuses, it never lets through).
                failure ??= ex;
            }
        }

        if (failure is not null)
        {
            _ = ReleaseAsync(database, reserved);
            throw failure;
        }

        return (refusal, reserved);
    }

    private async Task ReleaseAsync(int database, List<SmsCodeCounter> counters)
    {
        foreach (var counter in counters)
        {
            try
            {
                await EvaluateAsync(database, _scripts.Release, [counter.Key!], [], honourBreaker: false).ConfigureAwait(false);
            }
            catch (SmsCodeStoreUnavailableException ex)
            {
                Log.ReleaseFailed(_logger, ex.Message);
            }
        }
    }

    private static (bool Counted, long MillisecondsLeft) ReserveResultOf(RedisResult result)
    {
        try
        {
            var values = (RedisResult[])result!;
            return ((int)values[0] == 1, (long)values[1]);
        }
        catch (Exception ex) when (ex is InvalidCastException or IndexOutOfRangeException)
        {
            throw RedisFailure.Unavailable("Redis answered the count script with an unexpected shape.", ex);
        }
    }
}
