namespace Gateway.RateLimiting;

/// <summary>One named rate-limit policy, partitioned by client IP, bound from <c>ClientRateLimiting:Policies:&lt;name&gt;</c>.</summary>
internal sealed class ClientRateLimitPolicyOptions
{
    /// <summary>The algorithm. Default <see cref="ClientRateLimitKind.FixedWindow"/>.</summary>
    public ClientRateLimitKind Kind { get; set; } = ClientRateLimitKind.FixedWindow;

    /// <summary>Requests per window per client IP (fixed and sliding windows). Default 10.</summary>
    public int PermitLimit { get; set; } = 10;

    /// <summary>The window (fixed and sliding windows). Default 1 minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Segments of a sliding window. Default 6.</summary>
    public int SegmentsPerWindow { get; set; } = 6;

    /// <summary>The bucket's size (token bucket). Default 10.</summary>
    public int TokenLimit { get; set; } = 10;

    /// <summary>Tokens added back each period (token bucket). Default 1.</summary>
    public int TokensPerPeriod { get; set; } = 1;

    /// <summary>The replenishment period (token bucket). Default 6 seconds.</summary>
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Requests that may wait for a permit; 0 (the default) rejects at once, which is right for a gateway.</summary>
    public int QueueLimit { get; set; }
}
