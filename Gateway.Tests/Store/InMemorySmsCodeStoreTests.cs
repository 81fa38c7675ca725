using Gateway.Middleware.Store;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Store;

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
        Assert.Equal(IntervalMilliseconds, _store.MillisecondsLeft(Database, SendFlagKey));
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
        Assert.Equal(IntervalMilliseconds, _store.MillisecondsLeft(Database, SendFlagKey));
    }

    [Fact]
    public async Task TryIssueAsync_Refused_DoesNotExtendFlagOrCode()
    {
        var first = Request("123456");
        await IssueAsync(first);
        _time.Advance(TimeSpan.FromSeconds(10));

        await IssueAsync(Request("654321"));

        Assert.Equal(50_000, _store.MillisecondsLeft(Database, SendFlagKey));
        Assert.Equal(290_000, _store.MillisecondsLeft(Database, CodeKey));
        Assert.True(await RevokeAsync(first));
    }

    [Fact]
    public async Task TryIssueAsync_CodeKey_LivesForCodeLifetime()
    {
        await IssueAsync(Request("123456"));
        Assert.Equal(LifetimeMilliseconds, _store.MillisecondsLeft(Database, CodeKey));

        _time.Advance(TimeSpan.FromMilliseconds(LifetimeMilliseconds - 1));
        Assert.Equal(1, _store.MillisecondsLeft(Database, CodeKey));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _store.MillisecondsLeft(Database, CodeKey));
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
        Assert.Equal(0, _store.MillisecondsLeft(4, SendFlagKey));
    }

    [Fact]
    public async Task RevokeAsync_OtherDatabase_LeavesThisOne()
    {
        await IssueAsync(Request("123456", database: 2));
        var inDatabase3 = Request("123456", database: 3);
        await IssueAsync(inDatabase3);

        Assert.True(await RevokeAsync(inDatabase3));

        Assert.Equal(IntervalMilliseconds, _store.MillisecondsLeft(2, SendFlagKey));
        Assert.Equal(LifetimeMilliseconds, _store.MillisecondsLeft(2, CodeKey));
        Assert.Equal(0, _store.MillisecondsLeft(3, SendFlagKey));
    }

    [Fact]
    public async Task RevokeAsync_StillOwn_DeletesFlagAndCode()
    {
        var request = Request("123456");
        await IssueAsync(request);
        _time.Advance(TimeSpan.FromSeconds(1));

        var revoked = await RevokeAsync(request);

        Assert.True(revoked);
        Assert.Equal(0, _store.MillisecondsLeft(Database, SendFlagKey));
        Assert.Equal(0, _store.MillisecondsLeft(Database, CodeKey));
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
        Assert.Equal(IntervalMilliseconds, _store.MillisecondsLeft(Database, SendFlagKey));
        Assert.Equal(LifetimeMilliseconds, _store.MillisecondsLeft(Database, CodeKey));
        Assert.True(await RevokeAsync(second));
    }

    [Fact]
    public async Task RevokeAsync_SameCodeButNewerRequest_FalseAndDeletesNothing()
    {
        var first = Request("123456");
        await IssueAsync(first);
        _time.Advance(Interval);
        Assert.True((await IssueAsync(Request("123456"))).IsIssued);

        var revoked = await RevokeAsync(first);

        Assert.False(revoked);
        Assert.Equal(IntervalMilliseconds, _store.MillisecondsLeft(Database, SendFlagKey));
        Assert.Equal(LifetimeMilliseconds, _store.MillisecondsLeft(Database, CodeKey));
    }

    [Fact]
    public async Task RevokeAsync_FlagAlreadyExpired_StillDeletesItsCode()
    {
        var request = Request("123456");
        await IssueAsync(request);
        _time.Advance(Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(0, _store.MillisecondsLeft(Database, SendFlagKey));

        var revoked = await RevokeAsync(request);

        Assert.True(revoked);
        Assert.Equal(0, _store.MillisecondsLeft(Database, CodeKey));
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
}
