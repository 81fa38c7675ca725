using Gateway.Middleware.Store;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Middleware.Tests.Store;

public sealed class StoreCircuitBreakerTests
{
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _time = new();
    private readonly StoreCircuitBreaker _breaker;

    public StoreCircuitBreakerTests()
    {
        _breaker = new StoreCircuitBreaker(_time, BreakDuration);
    }

    [Fact]
    public void IsOpen_New_False()
    {
        Assert.False(_breaker.IsOpen);
    }

    [Fact]
    public void IsOpen_AfterFailure_True()
    {
        _breaker.RecordFailure();

        Assert.True(_breaker.IsOpen);
    }

    [Fact]
    public void IsOpen_JustBeforeBreakDurationElapses_True()
    {
        _breaker.RecordFailure();

        _time.Advance(BreakDuration - TimeSpan.FromMilliseconds(1));

        Assert.True(_breaker.IsOpen);
    }

    [Fact]
    public void IsOpen_AfterBreakDurationElapses_False()
    {
        _breaker.RecordFailure();

        _time.Advance(BreakDuration);

        Assert.False(_breaker.IsOpen);
    }

    [Fact]
    public void RecordSuccess_WhileOpen_ClosesAtOnce()
    {
        _breaker.RecordFailure();

        _breaker.RecordSuccess();

        Assert.False(_breaker.IsOpen);
    }

    [Fact]
    public void RecordFailure_AgainLater_OpensForFullDurationFromLastFailure()
    {
        _breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(1.5));

        _breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(1.5));

        Assert.True(_breaker.IsOpen);
        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.False(_breaker.IsOpen);
    }

    [Fact]
    public void Constructor_NullTimeProvider_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new StoreCircuitBreaker(null!, BreakDuration));
    }
}
