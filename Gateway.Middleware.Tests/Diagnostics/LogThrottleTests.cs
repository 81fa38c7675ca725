using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Middleware.Tests.Diagnostics;

public sealed class LogThrottleTests
{
    [Fact]
    public void Constructor_NoTimeProvider_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new LogThrottle(null!));
    }

    [Fact]
    public void ShouldLog_RepeatsWithinTheInterval_FirstOnlyThenCountsWhatWasSuppressed()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(time);

        Assert.True(throttle.ShouldLog(1, "p", out var first));
        Assert.False(throttle.ShouldLog(1, "p", out _));
        Assert.False(throttle.ShouldLog(1, "p", out _));
        time.Advance(LogThrottle.Interval);
        Assert.True(throttle.ShouldLog(1, "p", out var next));

        Assert.Equal(0, first);
        Assert.Equal(2, next);
    }

    [Fact]
    public void ShouldLog_OtherEventOrScope_HasItsOwnWindow()
    {
        var throttle = new LogThrottle(new FakeTimeProvider());

        Assert.True(throttle.ShouldLog(1, "p", out _));
        Assert.True(throttle.ShouldLog(2, "p", out _));
        Assert.True(throttle.ShouldLog(1, "q", out _));
        Assert.False(throttle.ShouldLog(1, "p", out _));
    }
}
