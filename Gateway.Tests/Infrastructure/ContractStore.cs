using System.Collections.Concurrent;
using System.Globalization;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The store a contract suite runs on, and how the suite looks into it: a real redis-server, read directly, or the
/// in-process store on a fake clock, observed through its own operations only. The suites must pass on both without
/// knowing which. Keys are the default templates in database 2.
/// </summary>
public abstract class ContractStore
{
    protected const int Database = 2;

    /// <summary>The Redis configuration string, or null for the in-process store.</summary>
    public abstract string? Redis { get; }

    /// <summary>The time left on the mobile's send flag in milliseconds, 0 when there is none.</summary>
    public abstract Task<long> SendFlagLeftAsync(GatewayHost host, string mobile);

    /// <summary>
    /// True when the mobile has a live code. Ask it where the code should be gone: where there is one, the in-process
    /// store counts an attempt at it.
    /// </summary>
    public abstract Task<bool> HasCodeAsync(GatewayHost host, string mobile);

    /// <summary>
    /// True when the mobile's live code is <paramref name="code"/>. Ask it last: on the in-process store it is a
    /// verify, which uses the code up.
    /// </summary>
    public abstract Task<bool> HoldsCodeAsync(GatewayHost host, string mobile, string code);

    /// <summary>True when nothing is left of the mobile's code state, which names the request that issued the code.</summary>
    public abstract Task<bool> CodeStateGoneAsync(GatewayHost host, string mobile);

    /// <summary>The count of a counter key (a cap's), 0 when absent.</summary>
    public abstract Task<long> CountOfAsync(GatewayHost host, string key);

    /// <summary>Lets a mobile's send interval pass, as its flag's expiry would.</summary>
    public abstract Task PassSendIntervalAsync(GatewayHost host, string mobile);

    /// <summary>
    /// What the store has run so far, to show that a request never reached it: the commands of Redis's server (see
    /// <see cref="RedisServer.CommandsRunAsync"/>), or the calls the gate made on the in-process store (pings aside).
    /// </summary>
    public abstract Task<long> CommandsRunAsync(GatewayHost host);

    /// <summary>
    /// Keys in every database of the store's server (DBSIZE), to show that requests wrote nothing; null for the
    /// in-process store, which has no server to ask.
    /// </summary>
    public virtual Task<long?> KeyCountAsync() => Task.FromResult<long?>(null);

    /// <summary>Services a test host needs for this store (the in-process store's clock).</summary>
    public virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Empties a store that outlives one test; tests in a class run one at a time.</summary>
    public virtual Task ResetAsync() => Task.CompletedTask;

    protected static string SendFlagKey(string mobile) => $"send_flag_{mobile}";

    protected static string CodeKey(string mobile) => $"sms_{mobile}";

    protected static string CodeStateKey(string mobile) => $"sms_state_{mobile}";
}

/// <summary>
/// The contract on a real redis-server (one per test class), read directly; with a substitution, the gate's store
/// sends a broken copy of one script (LuaMutationTests).
/// </summary>
public sealed class RedisContractStore(RedisFixture redis) : ContractStore
{
    private readonly RedisScriptSubstitution? _substitution;

    internal RedisContractStore(RedisFixture redis, RedisScriptSubstitution substitution)
        : this(redis) => _substitution = substitution;

    public override string? Redis => redis.Server.ConnectionString;

    public override void ConfigureServices(IServiceCollection services)
    {
        if (_substitution is not null)
        {
            services.AddSingleton(_substitution);
        }
    }

    public override async Task<long> SendFlagLeftAsync(GatewayHost host, string mobile)
    {
        var left = await redis.Server.Database(Database).KeyTimeToLiveAsync(SendFlagKey(mobile));
        return left is null ? 0 : (long)left.Value.TotalMilliseconds;
    }

    public override Task<bool> HasCodeAsync(GatewayHost host, string mobile) =>
        redis.Server.Database(Database).KeyExistsAsync(CodeKey(mobile));

    public override async Task<bool> HoldsCodeAsync(GatewayHost host, string mobile, string code) =>
        await redis.Server.Database(Database).StringGetAsync(CodeKey(mobile)) == code;

    public override async Task<bool> CodeStateGoneAsync(GatewayHost host, string mobile) =>
        !await redis.Server.Database(Database).KeyExistsAsync(CodeStateKey(mobile));

    public override async Task<long> CountOfAsync(GatewayHost host, string key)
    {
        var value = await redis.Server.Database(Database).StringGetAsync(key);
        return value.IsNull ? 0 : long.Parse((string)value!, CultureInfo.InvariantCulture);
    }

    public override Task ResetAsync() => redis.Server.Server.FlushAllDatabasesAsync();

    public override Task<long> CommandsRunAsync(GatewayHost host) => redis.Server.CommandsRunAsync();

    public override async Task<long?> KeyCountAsync()
    {
        long keys = 0;
        for (var db = 0; db < 16; db++)
        {
            keys += await redis.Server.Server.DatabaseSizeAsync(db);
        }

        return keys;
    }

    public override Task PassSendIntervalAsync(GatewayHost host, string mobile) =>
        redis.Server.Database(Database).KeyDeleteAsync(SendFlagKey(mobile));
}

/// <summary>
/// The contract on the in-process store (no SmsCodeGate:Redis), its expiry on a fake clock. It is looked into only
/// through <see cref="ISmsCodeStore"/>: probes that write nothing, or take back what they wrote.
/// </summary>
public sealed class InProcessContractStore : ContractStore
{
    private const long ProbeWindowMilliseconds = 60_000;
    private const int MaxCount = 1_000;
    private readonly FakeTimeProvider _time = new();

    public override string? Redis => null;

    public override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<ISmsCodeStore>(new RecordingSmsCodeStore(new InMemorySmsCodeStore(_time)));

    /// <summary>The calls the gate made on the store; the probes here go to the store behind the record, uncounted.</summary>
    public override Task<long> CommandsRunAsync(GatewayHost host) => Task.FromResult(Store(host).Calls);

    public override Task PassSendIntervalAsync(GatewayHost host, string mobile)
    {
        _time.Advance(TimeSpan.FromSeconds(60));
        return Task.CompletedTask;
    }

    /// <summary>
    /// An issue under the mobile's flag with keys of its own: refused for the interval with the time left on the flag
    /// (a refusal writes nothing), or issued, and then revoked, which deletes the flag it wrote.
    /// </summary>
    public override async Task<long> SendFlagLeftAsync(GatewayHost host, string mobile)
    {
        var store = Store(host).Inner;
        var probe = Probe(SendFlagKey(mobile));
        var result = await store.TryIssueAsync(probe);
        if (result.IsIssued)
        {
            Assert.True(await store.RevokeAsync(probe));
            return 0;
        }

        Assert.Equal(SmsCodeRefusal.Interval, result.Refusal);
        return result.RetryAfterMilliseconds;
    }

    /// <summary>An attempt counted against the mobile's code, with no limit to spend: no code, nothing counted.</summary>
    public override async Task<bool> HasCodeAsync(GatewayHost host, string mobile) =>
        (await Store(host).Inner.CountAttemptAsync(VerifyRequest(mobile), "contract-probe")).Outcome == SmsCodeVerifyOutcome.Counted;

    public override async Task<bool> HoldsCodeAsync(GatewayHost host, string mobile, string code) =>
        (await Store(host).Inner.VerifyAsync(VerifyRequest(mobile), code)).Outcome == SmsCodeVerifyOutcome.Verified;

    /// <summary>
    /// A revoke of every request the gate issued for the mobile succeeds only while the code state still names it:
    /// none may.
    /// </summary>
    public override async Task<bool> CodeStateGoneAsync(GatewayHost host, string mobile)
    {
        var store = Store(host);
        foreach (var issued in store.Issued.Where(r => r.CodeStateKey == CodeStateKey(mobile)))
        {
            if (await store.Inner.RevokeAsync(issued))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Issues with keys of its own under the counter capped at 1, 2, ...: a cap at or under the count refuses (and a
    /// refusal writes nothing), so the first cap that lets the probe through is one more than the count. That probe
    /// is revoked at once, which takes its count back.
    /// </summary>
    public override async Task<long> CountOfAsync(GatewayHost host, string key)
    {
        var store = Store(host).Inner;
        for (var limit = 1; limit <= MaxCount; limit++)
        {
            var probe = Probe($"contract_probe_flag_{Guid.NewGuid():N}") with { PerHour = SmsCodeCounter.MobilePerHour(key, limit) };
            var result = await store.TryIssueAsync(probe);
            if (result.IsIssued)
            {
                Assert.True(await store.RevokeAsync(probe));
                return limit - 1;
            }

            Assert.Equal(SmsCodeRefusal.Hour, result.Refusal);
        }

        throw new InvalidOperationException($"{key} counts more than the probe looks for ({MaxCount}).");
    }

    private static SmsCodeIssueRequest Probe(string sendFlagKey)
    {
        var id = Guid.NewGuid().ToString("N");
        return new SmsCodeIssueRequest(
            Database, sendFlagKey, $"contract_probe_code_{id}", $"contract_probe_state_{id}", "000000", IssueNonce.Next(),
            ProbeWindowMilliseconds, ProbeWindowMilliseconds);
    }

    private static SmsCodeVerifyRequest VerifyRequest(string mobile) =>
        new(Database, CodeKey(mobile), CodeStateKey(mobile), SendFlagKey(mobile), MaxAttempts: 0, SmsCodeCounter.Off, ProbeWindowMilliseconds);

    private static RecordingSmsCodeStore Store(GatewayHost host) =>
        (RecordingSmsCodeStore)host.Services.GetRequiredService<ISmsCodeStore>();
}

/// <summary>
/// The gate's store, with a record of the issue requests the gate made and a count of its calls (test side: the store
/// itself keeps neither). A health check's ping is not counted: it reads and writes nothing.
/// </summary>
internal sealed class RecordingSmsCodeStore(ISmsCodeStore inner) : ISmsCodeStore
{
    private readonly ConcurrentQueue<SmsCodeIssueRequest> _issued = new();
    private long _calls;

    public ISmsCodeStore Inner => inner;

    public IEnumerable<SmsCodeIssueRequest> Issued => _issued;

    public long Calls => Interlocked.Read(ref _calls);

    public bool IsShared => inner.IsShared;

    public ValueTask<SmsCodeIssueResult> TryIssueAsync(SmsCodeIssueRequest request)
    {
        Interlocked.Increment(ref _calls);
        _issued.Enqueue(request);
        return inner.TryIssueAsync(request);
    }

    public ValueTask<bool> RevokeAsync(SmsCodeIssueRequest request)
    {
        Interlocked.Increment(ref _calls);
        return inner.RevokeAsync(request);
    }

    public ValueTask<SmsCodeVerifyResult> CountAttemptAsync(SmsCodeVerifyRequest request, string attempt)
    {
        Interlocked.Increment(ref _calls);
        return inner.CountAttemptAsync(request, attempt);
    }

    public ValueTask ReleaseAttemptAsync(SmsCodeVerifyRequest request, string attempt)
    {
        Interlocked.Increment(ref _calls);
        return inner.ReleaseAttemptAsync(request, attempt);
    }

    public ValueTask UseUpAsync(SmsCodeVerifyRequest request, string nonce)
    {
        Interlocked.Increment(ref _calls);
        return inner.UseUpAsync(request, nonce);
    }

    public ValueTask<SmsCodeVerifyResult> VerifyAsync(SmsCodeVerifyRequest request, string guess)
    {
        Interlocked.Increment(ref _calls);
        return inner.VerifyAsync(request, guess);
    }

    public ValueTask PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);
}
