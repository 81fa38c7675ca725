using StackExchange.Redis;

namespace Gateway.Middleware.Policies;

/// <summary>Options of the SMS code gate, bound from the <c>SmsCodeGate</c> configuration section.</summary>
public sealed class SmsCodeGateOptions
{
    /// <summary>The configuration section the gate binds by default.</summary>
    public const string SectionName = "SmsCodeGate";

    /// <summary>
    /// A StackExchange.Redis configuration string. When it is null or empty (and neither
    /// <see cref="RedisConfigurationOptions"/> nor <see cref="RedisConnectionMultiplexerFactory"/> is set), an in-process
    /// store with the same semantics is used: it serves a single instance only. Read once at start-up.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// The Redis connection's options, set in code in place of <see cref="Redis"/>; the gate adds its fail-fast
    /// settings to a copy. Read once at start-up.
    /// </summary>
    public ConfigurationOptions? RedisConfigurationOptions { get; set; }

    /// <summary>
    /// Gives the Redis connection to use, set in code in place of <see cref="Redis"/> and
    /// <see cref="RedisConfigurationOptions"/>, so that an application shares its own multiplexer; the gate calls it
    /// once and does not dispose what it gives. Read once at start-up.
    /// </summary>
    public Func<Task<IConnectionMultiplexer>>? RedisConnectionMultiplexerFactory { get; set; }

    /// <summary>How long one store call may take before the request is answered 503. Default 1 s. Read once at start-up.</summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After a store call fails or times out, how long requests are answered 503 at once instead of each waiting
    /// out <see cref="StoreTimeout"/>. Default 2 s. Read once at start-up.
    /// </summary>
    public TimeSpan StoreBreakDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How many leading bits of an IPv6 client address the per-IP cap counts by. Default 64: one host is usually
    /// given a whole /64 and can rotate through it, so counting single addresses would let it pass the cap at will.
    /// 1 to 128; IPv4 addresses (and IPv4-mapped IPv6 ones) are counted whole. Read once at start-up.
    /// </summary>
    public int ClientIpv6PrefixLength { get; set; } = 64;

    /// <summary>
    /// When false (the default), request headers whose name contains <c>_</c> are dropped on every route that goes to a
    /// legacy app (every route but a send route to the SMS provider), as nginx does: WSGI names <c>X_Forwarded_For</c>
    /// like <c>X-Forwarded-For</c>, and gunicorn takes a <c>SCRIPT_NAME</c> header as the app's mount point. When
    /// true they pass, except <c>SCRIPT_NAME</c>, <c>PATH_INFO</c>, <c>Content_Type</c> and <c>Content_Length</c>
    /// (any case), which are always dropped. Read when the routes are (re)loaded.
    /// </summary>
    public bool AllowUnderscoreHeaders { get; set; }

    /// <summary>The gate policies by name; a YARP route selects one with the <c>SmsCodePolicy</c> metadata key.</summary>
    public IDictionary<string, SmsCodePolicyOptions> Policies { get; } =
        new Dictionary<string, SmsCodePolicyOptions>(StringComparer.OrdinalIgnoreCase);
}
