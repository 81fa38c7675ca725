namespace Gateway.RateLimiting;

/// <summary>The limiter algorithm of a client rate-limit policy.</summary>
internal enum ClientRateLimitKind
{
    /// <summary><see cref="System.Threading.RateLimiting.FixedWindowRateLimiter"/>: <c>PermitLimit</c> per <c>Window</c>.</summary>
    FixedWindow,

    /// <summary><see cref="System.Threading.RateLimiting.SlidingWindowRateLimiter"/>: <c>PermitLimit</c> per <c>Window</c>, in <c>SegmentsPerWindow</c> segments.</summary>
    SlidingWindow,

    /// <summary><see cref="System.Threading.RateLimiting.TokenBucketRateLimiter"/>: bursts of <c>TokenLimit</c>, <c>TokensPerPeriod</c> back per <c>ReplenishmentPeriod</c>.</summary>
    TokenBucket,
}
