namespace Gateway.Middleware.RateLimiting;

/// <summary>
/// Named per-client-IP rate-limit policies, bound from the <c>ClientRateLimiting</c> section. A YARP route uses one
/// with <c>"RateLimiterPolicy": "&lt;name&gt;"</c>. Read once at start-up.
/// </summary>
public sealed class ClientRateLimitingOptions
{
    /// <summary>The configuration section bound by default.</summary>
    public const string SectionName = "ClientRateLimiting";

    /// <summary>The policies by name.</summary>
    public IDictionary<string, ClientRateLimitPolicyOptions> Policies { get; } =
        new Dictionary<string, ClientRateLimitPolicyOptions>(StringComparer.OrdinalIgnoreCase);
}
