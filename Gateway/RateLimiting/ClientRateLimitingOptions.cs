namespace Gateway.RateLimiting;

/// <summary>
/// Named per-client-IP rate-limit policies, bound from the <c>ClientRateLimiting</c> section. A YARP route uses one
/// with <c>"RateLimiterPolicy": "&lt;name&gt;"</c>. Read once at start-up.
/// </summary>
internal sealed class ClientRateLimitingOptions
{
    /// <summary>The configuration section bound by default.</summary>
    public const string SectionName = "ClientRateLimiting";

    /// <summary>
    /// How many leading bits of an IPv6 client address a client is partitioned by. Default 64, so that one host
    /// cannot rotate through the addresses of its own /64; 1 to 128. IPv4 addresses are partitioned whole.
    /// </summary>
    public int Ipv6PrefixLength { get; set; } = 64;

    /// <summary>The policies by name.</summary>
    public IDictionary<string, ClientRateLimitPolicyOptions> Policies { get; } =
        new Dictionary<string, ClientRateLimitPolicyOptions>(StringComparer.OrdinalIgnoreCase);
}
