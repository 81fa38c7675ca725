using Gateway.Middleware.Store;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Middleware.Tests.Store;

public sealed class InMemorySmsCodeStoreTests
{
    private const int Database = 2;
    private const string SendFlagKey = "send_flag_13800138000";
    private const string CodeKey = "sms_13800138000";
    private const string StateKey = "sms_state_13800138000";
    private const long IntervalMilliseconds = 60_000;
    private const long LifetimeMilliseconds = 300_000;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(IntervalMilliseconds);

    private readonly FakeTimeProvider _time = new();
    private readonly InMemorySmsCodeStore _store;

    public InMemorySmsCodeStoreTests()
    {
        _store = new InMemorySmsCodeStore(_time);
    }

    [Fact]
    public async Task TryIssueAsync_First_Issued()
    {
        var result = await IssueAsync(Request("123456"));

        Assert.True(result.IsIssued);
        Assert.Equal(SmsCodeRefusal.None, result.Refusal);
        Assert.Equal(IntervalMilliseconds, await FlagLeftAsync());
    }

    [Fact]
    public async Task TryIssueAsync_SecondAtOnce_RefusedForWholeInterval()
    {
        await IssueAsync(Request("123456"));

        var result = await IssueAsync(Request("654321"));

        Assert.False(result.IsIssued);
        Assert.Equal(SmsCodeRefusal.Interval, result.Refusal);
        Assert.Equal(IntervalMilliseconds, result.RetryAfterMilliseconds);
    }

    [Theory]
    [InlineData(1, 59_999)]
    [InlineData(15_000, 45_000)]
    [InlineData(59_999, 1)]
    public async Task TryIssueAsync_SecondWithinInterval_RefusedWithTimeLeft(long advanceMilliseconds, long expectedLeft)
    {
        await IssueAsync(Request("123456"));
        _time.Advance(TimeSpan.FromMilliseconds(advanceMilliseconds));

        var result = await IssueAsync(Request("654321"));

        Assert.Equal(SmsCodeRefusal.Interval, result.Refusal);
        Assert.Equal(expectedLeft, result.RetryAfterMilliseconds);
    }

    [Fact]
    public async Task TryIssueAsync_RetryAfterDecreasesAsTimePasses()
    {
        await IssueAsync(Request("123456"));
        _time.Advance(TimeSpan.FromSeconds(10));
        var earlier = await IssueAsync(Request("654321"));
        _time.Advance(TimeSpan.FromSeconds(20));

        var later = await IssueAsync(Request("654321"));

        Assert.Equal(50_000, earlier.RetryAfterMilliseconds);
        Assert.Equal(30_000, later.RetryAfterMilliseconds);
    }

    [Fact]
    public async Task TryIssueAsync_AfterInterval_IssuedAgain()
    {
        await IssueAsync(Request("123456"));
        _time.Advance(Interval);

        var result = await IssueAsync(Request("654321"));

        Assert.True(result.IsIssued);
        Assert.Equal(IntervalMilliseconds, await FlagLeftAsync());
    }

    [Fact]
    public async Task TryIssueAsync_Refused_DoesNotExtendFlagOrCode()
    {
        var first = Request("123456");
        await IssueAsync(first);
        _time.Advance(TimeSpan.FromSeconds(10));

        await IssueAsync(Request("654321"));

        // The flag has 50 s left and the first request's code 290 s, as if the refused one had never come.
        Assert.Equal(50_000, await FlagLeftAsync());
        _time.Advance(TimeSpan.FromMilliseconds(290_000 - 1));
        Assert.Equal(first.Nonce, await CodeNonceAsync());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await CodeNonceAsync());
    }

    [Fact]
    public async Task TryIssueAsync_CodeKey_LivesForCodeLifetime()
    {
        var request = Request("123456");
        await IssueAsync(request);
        Assert.Equal(request.Nonce, await CodeNonceAsync());

        _time.Advance(TimeSpan.FromMilliseconds(LifetimeMilliseconds - 1));
        Assert.Equal(request.Nonce, await CodeNonceAsync());

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await CodeNonceAsync());
    }

    [Fact]
    public async Task TryIssueAsync_SameKeysInOtherDatabase_Independent()
    {
        var inDatabase2 = await IssueAsync(Request("123456", database: 2));
        var inDatabase3 = await IssueAsync(Request("654321", database: 3));
        var againInDatabase2 = await IssueAsync(Request("111111", database: 2));

        Assert.True(inDatabase2.IsIssued);
        Assert.True(inDatabase3.IsIssued);
        Assert.Equal(SmsCodeRefusal.Interval, againInDatabase2.Refusal);
        Assert.Equal(0, await FlagLeftAsync(database: 4));
    }

    [Fact]
    public async Task RevokeAsync_OtherDatabase_LeavesThisOne()
    {
        var inDatabase2 = Request("123456", database: 2);
        await IssueAsync(inDatabase2);
        var inDatabase3 = Request("123456", database: 3);
        await IssueAsync(inDatabase3);

        Assert.True(await RevokeAsync(inDatabase3));

        Assert.Equal(IntervalMilliseconds, await FlagLeftAsync(database: 2));
        Assert.Equal(inDatabase2.Nonce, await CodeNonceAsync(database: 2));
        Assert.Equal(0, await FlagLeftAsync(database: 3));
        Assert.Null(await CodeNonceAsync(database: 3));
    }

    [Fact]
    public async Task RevokeAsync_StillOwn_DeletesFlagAndCode()
    {
        var request = Request("123456");
        await IssueAsync(request);
        _time.Advance(TimeSpan.FromSeconds(1));

        var revoked = await RevokeAsync(request);

        Assert.True(revoked);
        Assert.Null(await CodeNonceAsync());
        Assert.Equal(0, await FlagLeftAsync());
        Assert.True((await IssueAsync(Request("654321"))).IsIssued);
    }

    [Fact]
    public async Task RevokeAsync_CodeKeyHoldsNewerCode_FalseAndDeletesNothing()
    {
        var first = Request("123456");
        await IssueAsync(first);
        _time.Advance(Interval + TimeSpan.FromSeconds(1));
        var second = Request("654321");
        Assert.True((await IssueAsync(second)).IsIssued);

        var revoked = await RevokeAsync(first);

        Assert.False(revoked);
        Assert.Equal(IntervalMilliseconds, await FlagLeftAsync());
        Assert.Equal(second.Nonce, await CodeNonceAsync());
        Assert.True(await RevokeAsync(second));
    }

    [Fact]
    public async Task RevokeAsync_SameCodeButNewerRequest_FalseAndDeletesNothing()
    {
        var first = Request("123456");
        await IssueAsync(first);
        _time.Advance(Interval);
        var newer = Request("123456");
        Assert.True((await IssueAsync(newer)).IsIssued);

        var revoked = await RevokeAsync(first);

        Assert.False(revoked);
        Assert.Equal(IntervalMilliseconds, await FlagLeftAsync());
        Assert.Equal(newer.Nonce, await CodeNonceAsync());
    }

    [Fact]
    public async Task RevokeAsync_FlagAlreadyExpired_StillDeletesItsCode()
    {
        var request = Request("123456");
        await IssueAsync(request);
        _time.Advance(Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(0, await FlagLeftAsync());
        Assert.Equal(request.Nonce, await CodeNonceAsync());

        var revoked = await RevokeAsync(request);

        Assert.True(revoked);
        Assert.Null(await CodeNonceAsync());
    }

    [Fact]
    public async Task RevokeAsync_NothingStored_False()
    {
        Assert.False(await RevokeAsync(Request("123456")));
    }

    [Fact]
    public async Task RevokeAsync_CodeExpired_False()
    {
        var request = Request("123456");
        await IssueAsync(request);
        _time.Advance(TimeSpan.FromMilliseconds(LifetimeMilliseconds));

        Assert.False(await RevokeAsync(request));
    }

    [Fact]
    public void Constructor_NullTimeProvider_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new InMemorySmsCodeStore(null!));
    }

    private static SmsCodeIssueRequest Request(string code, int database = Database) =>
        new(database, SendFlagKey, CodeKey, StateKey, code, IssueNonce.Next(), IntervalMilliseconds, LifetimeMilliseconds);

    private Task<SmsCodeIssueResult> IssueAsync(SmsCodeIssueRequest request) =>
        _store.TryIssueAsync(request).AsTask().WaitAsync(Timeout);

    private Task<bool> RevokeAsync(SmsCodeIssueRequest request) =>
        _store.RevokeAsync(request).AsTask().WaitAsync(Timeout);

    /// <summary>
    /// The time left on the send flag, as an issue sees it: refused for the interval with the time left (a refusal
    /// writes nothing), or issued with keys of its own beside the flag, and revoked, which deletes the flag it wrote.
    /// </summary>
    private async Task<long> FlagLeftAsync(int database = Database)
    {
        var probe = new SmsCodeIssueRequest(database, SendFlagKey, "probe_code", "probe_state", "000000", IssueNonce.Next(), IntervalMilliseconds, LifetimeMilliseconds);
        var result = await IssueAsync(probe);
        if (result.IsIssued)
        {
            Assert.True(await RevokeAsync(probe));
            return 0;
        }

        Assert.Equal(SmsCodeRefusal.Interval, result.Refusal);
        return result.RetryAfterMilliseconds;
    }

    /// <summary>The nonce of the request whose code is live, or null: one attempt counted with no limit to spend (no code, nothing counted).</summary>
    private async Task<string?> CodeNonceAsync(int database = Database)
    {
        var attempt = new SmsCodeVerifyRequest(database, CodeKey, StateKey, SendFlagKey, MaxAttempts: 0, SmsCodeCounter.Off, LifetimeMilliseconds);
        var result = await _store.CountAttemptAsync(attempt, "attempt").AsTask().WaitAsync(Timeout);
        return result.Outcome == SmsCodeVerifyOutcome.Counted ? result.Nonce : null;
    }
}
