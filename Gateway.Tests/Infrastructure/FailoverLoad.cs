using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Testing;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A steady stream of code requests through one gateway, for failover tests: several client loops, each paced, each
/// asking for fresh mobiles and now and then again for a mobile it was already sent a code for (which must stay
/// refused: a second 200 would be a second SMS inside the interval). Every request carries a client timeout, so that
/// a request that hangs is recorded as such instead of stalling the test.
/// </summary>
internal sealed class FailoverLoad
{
    /// <summary>What a request that got no answer in time is recorded with.</summary>
    public const int NoAnswer = 0;

    /// <summary>What a request that failed with an exception is recorded with.</summary>
    public const int Failed = -1;

    /// <summary>
    /// How long a request may take before it counts as hanging: a hang guard, far beyond what a loaded machine takes
    /// (a request that waits on Redis is ended by the gateway's own store timeout long before).
    /// </summary>
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How many fresh sends after the last 503 show that the gateway recovered inside the stream.</summary>
    public const int IssuedToShowRecovery = 10;

    /// <summary>How many of this machine's slowest ordinary answers (see <see cref="Allowance"/>) a bound allows.</summary>
    private const int AnswersAllowed = 20;

    private const int Loops = 16;
    private const int RepeatEvery = 4;
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan FailoverAfter = TimeSpan.FromSeconds(2.5);
    private static readonly TimeSpan StreamAtLeast = TimeSpan.FromSeconds(9);
    private static readonly TimeSpan StreamAfterFailover = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(500);
    private readonly HttpClient _client;
    private readonly Func<int, string> _nextMobile;
    private TimeSpan _failoverStarted;
    private TimeSpan _failoverEnded;

    /// <param name="client">The gateway's client.</param>
    /// <param name="nextMobile">A fresh mobile for the loop with the given index (0 to 15); must be thread-safe.</param>
    public FailoverLoad(HttpClient client, Func<int, string> nextMobile)
    {
        _client = client;
        _nextMobile = nextMobile;
    }

    /// <summary>The load's clock: every time recorded is on it, starting with <see cref="RunAsync"/>.</summary>
    public Stopwatch Clock { get; } = new();

    public ConcurrentQueue<LoadRequest> Requests { get; } = new();

    /// <summary>What <c>sample</c> of <see cref="RunAsync"/> saw, every half second, with the time.</summary>
    public ConcurrentQueue<string> Samples { get; } = new();

    /// <summary>
    /// Streams: 16 client loops, each starting a request at most every 20 ms. After 2.5 s runs <paramref name="failover"/>,
    /// then keeps streaming until 9 s have passed and at least 4 s since the failover finished, and waits for the last
    /// requests. <paramref name="sample"/>, when given, is called every half second for <see cref="Samples"/>.
    /// </summary>
    public async Task RunAsync(Func<Task> failover, Func<Task<string>>? sample = null)
    {
        using var stop = new CancellationTokenSource();
        Clock.Start();
        var loops = Task.WhenAll(Enumerable.Range(0, Loops).Select(loop => Task.Run(() => LoopAsync(loop, stop.Token), CancellationToken.None)));
        var sampling = sample is null ? Task.CompletedTask : SampleAsync(sample, stop.Token);
        try
        {
            await Task.Delay(FailoverAfter);
            _failoverStarted = Clock.Elapsed;
            await failover();
            _failoverEnded = Clock.Elapsed;
            // Then until the gateway shows it recovered (bounded: a gateway that never does fails its test on the count).
            var end = _failoverEnded + StreamAfterFailover > StreamAtLeast ? _failoverEnded + StreamAfterFailover : StreamAtLeast;
            while (Clock.Elapsed < end || (IssuedAfterTheLast503() < IssuedToShowRecovery && Clock.Elapsed < _failoverEnded + ClientTimeout))
            {
                await Task.Delay(SampleEvery);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops, sampling).WaitAsync(ClientTimeout + TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>How long the failover took, from <c>SENTINEL FAILOVER</c> (or the kill) until the roles had switched.</summary>
    public TimeSpan FailoverDuration => _failoverEnded - _failoverStarted;

    /// <summary>
    /// <paramref name="idle"/>, or more on a machine that is slow right now: the failover's own duration plus
    /// <see cref="AnswersAllowed"/> times the 95th percentile of the answers before the failover. A bound on how long
    /// the gateway takes to follow a failover, measured in this machine's speed under the same load.
    /// </summary>
    public TimeSpan Allowance(TimeSpan idle)
    {
        var before = Requests.Where(r => r.Finished < _failoverStarted).Select(r => r.Finished - r.Started).Order().ToList();
        var slow = before.Count == 0 ? TimeSpan.Zero : before[(int)(before.Count * 0.95)];
        var loaded = FailoverDuration + (slow * AnswersAllowed);
        return loaded > idle ? loaded : idle;
    }

    /// <summary>How long after the failover started the last 503 was answered; zero when there was none.</summary>
    public TimeSpan Last503AfterFailoverStarted => Window((int)HttpStatusCode.ServiceUnavailable) is var (_, last) ? last - _failoverStarted : TimeSpan.Zero;

    /// <summary>From the first 503 to the last, for the requests <paramref name="where"/> picks: how long the outage was seen.</summary>
    public TimeSpan OutageLength(Func<LoadRequest, bool>? where = null) =>
        Window((int)HttpStatusCode.ServiceUnavailable, where) is var (first, last) ? last - first : TimeSpan.Zero;

    /// <summary>
    /// How many fresh sends (not repeats) were answered 200 after the last 503, for the requests <paramref name="where"/>
    /// picks: the gateway recovered inside the stream, not merely at some point after it.
    /// </summary>
    public int IssuedAfterTheLast503(Func<LoadRequest, bool>? where = null)
    {
        var last = Window((int)HttpStatusCode.ServiceUnavailable, where)?.Last ?? _failoverStarted;
        return Requests.Count(r => r.Status == (int)HttpStatusCode.OK && !r.IsRepeat && r.Started > last && (where?.Invoke(r) ?? true));
    }

    /// <summary>The first start and last end of the requests answered <paramref name="status"/>, or null when none was.</summary>
    public (TimeSpan First, TimeSpan Last)? Window(int status, Func<LoadRequest, bool>? where = null)
    {
        var matching = Requests.Where(r => r.Status == status && (where?.Invoke(r) ?? true)).ToList();
        return matching.Count == 0 ? null : (matching.Min(r => r.Started), matching.Max(r => r.Finished));
    }

    /// <summary>A few lines for the test output: totals by status, and when the 503s happened.</summary>
    public string Describe(Func<LoadRequest, bool>? onFailedShard = null)
    {
        var (failoverStarted, failoverEnded) = (_failoverStarted, _failoverEnded);
        var all = Requests.ToList();
        var lines = new List<string>
        {
            Line($"requests: {all.Count} in {all.Max(r => r.Finished).TotalSeconds:F1} s ({all.Count(r => !r.IsRepeat)} fresh mobiles, {all.Count(r => r.IsRepeat)} repeats)"),
            "statuses: " + string.Join(", ", all.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => Line($"{g.Key}: {g.Count()}"))),
            Line($"failover: started at {failoverStarted.TotalSeconds:F2} s, done (roles switched) at {failoverEnded.TotalSeconds:F2} s ({(failoverEnded - failoverStarted).TotalMilliseconds:F0} ms)"),
        };
        lines.Add(Window((int)HttpStatusCode.ServiceUnavailable) is var (first, last)
            ? Line($"503s: {all.Count(r => r.Status == 503)}, from {first.TotalSeconds:F2} s to {last.TotalSeconds:F2} s: a window of {(last - first).TotalMilliseconds:F0} ms, from {(first - failoverStarted).TotalMilliseconds:F0} ms to {(last - failoverStarted).TotalMilliseconds:F0} ms after the failover started")
            : "503s: none");
        if (onFailedShard is not null)
        {
            var elsewhere = all.Where(r => !onFailedShard(r)).ToList();
            lines.Add(Line($"requests for mobiles on the other shards: {elsewhere.Count}, of them 503: {elsewhere.Count(r => r.Status == 503)}"));
        }

        var slowest = all.OrderByDescending(r => r.Finished - r.Started).First();
        lines.Add(Line($"slowest answer: {(slowest.Finished - slowest.Started).TotalMilliseconds:F0} ms (status {slowest.Status}, at {slowest.Started.TotalSeconds:F2} s)"));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// Checks what a failover must not do: a status other than 200 or 503 for a fresh mobile, or 400 or 503 for a repeat
    /// (a 502, a 500, an exception or no answer in time is a failure, a 200 for a repeat a second SMS); an SMS to a
    /// mobile twice, or without its 200; a 200 whose code <paramref name="storedCode"/> does not find afterwards.
    /// </summary>
    /// <param name="provider">The provider the gateway forwarded to.</param>
    /// <param name="alsoIssued">Mobiles sent a code outside the load (a probe before it).</param>
    /// <param name="storedCode">Reads a mobile's stored code, after the failover, from the master that now holds it.</param>
    public async Task<FailoverAudit> AuditAsync(RecordingSmsProvider provider, IEnumerable<string> alsoIssued, Func<string, Task<string?>> storedCode)
    {
        var unexpected = Requests.Where(r => r.Status != (int)HttpStatusCode.ServiceUnavailable
            && r.Status != (int)(r.IsRepeat ? HttpStatusCode.BadRequest : HttpStatusCode.OK)).ToList();
        var sent = provider.Requests.GroupBy(r => r.Mobile).ToDictionary(g => g.Key, g => g.Select(r => r.Code).ToList());
        var issued = Requests.Where(r => !r.IsRepeat && r.Status == (int)HttpStatusCode.OK).Select(r => r.Mobile).Concat(alsoIssued).ToHashSet();
        var stored = await Task.WhenAll(issued.Select(async mobile => (Mobile: mobile, Code: await storedCode(mobile))));
        return new FailoverAudit(
            unexpected,
            sent.Where(pair => pair.Value.Count > 1).Select(pair => pair.Key).ToList(),
            sent.Keys.Where(mobile => !issued.Contains(mobile)).ToList(),
            stored.Where(s => !sent.TryGetValue(s.Mobile, out var codes) || !codes.Contains(s.Code)).Select(s => s.Mobile).ToList(),
            stored.Length);
    }

    /// <summary>What the host logged at Warning and above, by event, with one example each: for the test output.</summary>
    public static string DescribeLogs(FakeLogCollector logs) =>
        string.Join(Environment.NewLine, logs.GetSnapshot()
            .Where(log => log.Level >= Microsoft.Extensions.Logging.LogLevel.Warning)
            .GroupBy(log => (log.Level, log.Category, log.Id.Name))
            .Select(group => Line($"{group.Count()} x {group.Key.Level} {group.Key.Category}[{group.Key.Name}], e.g.: {group.First().Message} {FirstLine(group.First().Exception?.ToString())}")));

    private static string FirstLine(string? text) => text?.Split('\n')[0] ?? "";

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private async Task LoopAsync(int loop, CancellationToken stop)
    {
        var issued = new List<string>();
        var random = new Random(loop);
        for (var i = 1; !stop.IsCancellationRequested; i++)
        {
            var started = Clock.Elapsed;
            var repeat = i % RepeatEvery == 0 && issued.Count > 0;
            var mobile = repeat ? issued[random.Next(issued.Count)] : _nextMobile(loop);
            var (status, failure) = await SendAsync(mobile);
            Requests.Enqueue(new LoadRequest(mobile, repeat, status, started, Clock.Elapsed, failure));
            if (!repeat && status == (int)HttpStatusCode.OK)
            {
                issued.Add(mobile);
            }

            var wait = Pace - (Clock.Elapsed - started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, CancellationToken.None);
            }
        }
    }

    private async Task SampleAsync(Func<Task<string>> sample, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var at = Clock.Elapsed;
            Samples.Enqueue(Line($"{at.TotalSeconds,6:F2} s  {await sample()}"));
            var wait = SampleEvery - (Clock.Elapsed - at);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, CancellationToken.None);
            }
        }
    }

    private async Task<(int Status, string? Failure)> SendAsync(string mobile)
    {
        using var timeout = new CancellationTokenSource(ClientTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{mobile}/");
            using var response = await _client.SendAsync(request, timeout.Token);
            await response.Content.ReadAsByteArrayAsync(timeout.Token);
            return ((int)response.StatusCode, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (NoAnswer, $"no answer within {ClientTimeout}");
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or IOException)
        {
            return (Failed, ex.ToString());
        }
    }
}
