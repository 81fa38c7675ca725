using Gateway.Middleware.Store;

namespace Gateway.Middleware.Tests.Store;

public sealed class SmsCodeIssueResultTests
{
    [Theory]
    [InlineData(0L, 1L)]
    [InlineData(1L, 1L)]
    [InlineData(999L, 1L)]
    [InlineData(1000L, 1L)]
    [InlineData(1001L, 2L)]
    [InlineData(59_500L, 60L)]
    [InlineData(60_000L, 60L)]
    [InlineData(60_001L, 61L)]
    public void RetryAfterSeconds_Milliseconds_RoundsUpToAtLeastOne(long milliseconds, long expected)
    {
        var result = new SmsCodeIssueResult(SmsCodeRefusal.Interval, milliseconds);

        Assert.Equal(expected, result.RetryAfterSeconds);
    }

    [Fact]
    public void IsIssued_Refused_False()
    {
        Assert.False(new SmsCodeIssueResult(SmsCodeRefusal.Interval, 1000).IsIssued);
    }
}
