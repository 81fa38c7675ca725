using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// Redis Cluster's side counters, around the store's own issue and revoke: a counter that cannot share the mobile's
/// hash slot (per IP, per policy) is counted by its own script first (all in parallel), and taken back when the
/// mobile's script refuses, fails, or is revoked. Elsewhere (one server, Sentinel) the issue script counts them itself.
/// </summary>
/// <remarks>
/// To add a side counter: a <see cref="SmsCodeCounter"/> on <see cref="SmsCodeIssueRequest"/> (with its refusal), and
/// one <see cref="SideCounter"/> line in <see cref="Counters"/>: how to read it from a request and how to turn it off.
/// </remarks>
internal sealed class RedisSideCounters
{
    private static readonly SideCounter[] Counters =
    [
        new(static request => request.PerIpPerHour, static request => request with { PerIpPerHour = SmsCodeCounter.Off }),
        new(static request => request.SendsPerMinute, static request => request with { SendsPerMinute = SmsCodeCounter.Off }),
    ];

    private readonly RedisScriptRunner _scripts;

    public RedisSideCounters(RedisScriptRunner scripts)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        _scripts = scripts;
    }

    /// <summary>Whether <paramref name="request"/> counts anything outside the mobile's slot: a side counter is on, on Redis Cluster.</summary>
    public bool AppliesTo(in SmsCodeIssueRequest request)
    {
        foreach (var counter in Counters)
        {
            if (counter.Of(request).IsOn)
            {
                return _scripts.Deployment == RedisDeployment.Cluster;
            }
        }

        return false;
    }

    /// <summary><paramref name="request"/> with every side counter off: what the mobile's own script counts.</summary>
    public static SmsCodeIssueRequest WithoutSideCounters(SmsCodeIssueRequest request)
    {
        foreach (var counter in Counters)
        {
            request = counter.Off(request);
        }

        return request;
    }

    /// <summary>Counts the side counters, then issues with <paramref name="issueOwn"/> (given the request without them); takes the counts back unless it issued.</summary>
    public async ValueTask<SmsCodeIssueResult> IssueAsync(SmsCodeIssueRequest request, Func<SmsCodeIssueRequest, ValueTask<SmsCodeIssueResult>> issueOwn)
    {
        var (refusal, reserved) = await ReserveAsync(request.Database, CountersOf(request)).ConfigureAwait(false);
        if (!refusal.IsIssued)
        {
            await ReleaseAsync(request.Database, reserved).ConfigureAwait(false);
            return refusal;
        }

        SmsCodeIssueResult result;
        try
        {
            result = await issueOwn(WithoutSideCounters(request)).ConfigureAwait(false);
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

    /// <summary>Revokes with <paramref name="revokeOwn"/> (given the request without side counters) and, if it revoked, takes the side counts back.</summary>
    public async ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request, Func<SmsCodeIssueRequest, ValueTask<bool>> revokeOwn)
    {
        var revoked = await revokeOwn(WithoutSideCounters(request)).ConfigureAwait(false);
        if (revoked)
        {
            await ReleaseAsync(request.Database, CountersOf(request)).ConfigureAwait(false);
        }

        return revoked;
    }

    private static List<SmsCodeCounter> CountersOf(in SmsCodeIssueRequest request)
    {
        var counters = new List<SmsCodeCounter>(Counters.Length);
        foreach (var counter in Counters)
        {
            if (counter.Of(request) is { IsOn: true } on)
            {
                counters.Add(on);
            }
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
            calls[i] = _scripts.RunAsync(database, RedisScripts.Embedded.Reserve, [counters[i].Key!], [counters[i].Limit, counters[i].WindowMilliseconds], honourBreaker: true).AsTask();
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
            await _scripts.TakeBackAsync(database, RedisScripts.Embedded.Release, [counter.Key!], []).ConfigureAwait(false);
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

    /// <summary>One side counter: how to read it from a request, and the request with it off.</summary>
    private sealed record SideCounter(Func<SmsCodeIssueRequest, SmsCodeCounter> Of, Func<SmsCodeIssueRequest, SmsCodeIssueRequest> Off);
}
