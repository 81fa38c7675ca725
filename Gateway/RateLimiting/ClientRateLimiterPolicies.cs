using System.Threading.RateLimiting;
using Gateway.Middleware;
using Gateway.Shared;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gateway.RateLimiting;

/// <summary>Turns the configured policies into ASP.NET Core rate limiter policies partitioned by client IP.</summary>
internal sealed class ClientRateLimiterPolicies : IConfigureOptions<RateLimiterOptions>
{
    private readonly IOptions<ClientRateLimitingOptions> _options;
    private readonly ILogger<ClientRateLimiterPolicies> _logger;

    public ClientRateLimiterPolicies(IOptions<ClientRateLimitingOptions> options, ILogger<ClientRateLimiterPolicies> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
    }

    public void Configure(RateLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (name, policy) in _options.Value.Policies)
        {
            var prefixLength = _options.Value.Ipv6PrefixLength;
            options.AddPolicy(name, context => Partition(ClientAddress.Of(context, prefixLength), policy));
        }

        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = OnRejectedAsync;
    }

    private static RateLimitPartition<string> Partition(string clientIp, ClientRateLimitPolicyOptions policy) => policy.Kind switch
    {
        ClientRateLimitKind.SlidingWindow => RateLimitPartition.GetSlidingWindowLimiter(clientIp, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = policy.PermitLimit,
            Window = policy.Window,
            SegmentsPerWindow = policy.SegmentsPerWindow,
            QueueLimit = policy.QueueLimit,
        }),
        ClientRateLimitKind.TokenBucket => RateLimitPartition.GetTokenBucketLimiter(clientIp, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = policy.TokenLimit,
            TokensPerPeriod = policy.TokensPerPeriod,
            ReplenishmentPeriod = policy.ReplenishmentPeriod,
            QueueLimit = policy.QueueLimit,
        }),
        _ => RateLimitPartition.GetFixedWindowLimiter(clientIp, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = policy.PermitLimit,
            Window = policy.Window,
            QueueLimit = policy.QueueLimit,
        }),
    };

    private ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        TimeSpan? retryAfter = null;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) || TryGetPeriod(context.HttpContext, out wait))
        {
            retryAfter = wait;
        }

        GatewayLog.ClientRateLimited(_logger, ClientAddress.Of(context.HttpContext, _options.Value.Ipv6PrefixLength), context.HttpContext.Request.Method);

        // In the words of the gate policy that the route names, if any: a policy can reword its 429 too.
        return new ValueTask(context.HttpContext.WriteSmsCodeTooManyRequestsAsync(retryAfter));
    }

    /// <summary>
    /// When the limiter gives no retry time (the sliding window does not), the time one permit takes to come back:
    /// a segment, a window, or a replenishment period.
    /// </summary>
    private bool TryGetPeriod(HttpContext context, out TimeSpan period)
    {
        period = default;
        var name = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        if (name is null || !_options.Value.Policies.TryGetValue(name, out var policy))
        {
            return false;
        }

        period = policy.Kind switch
        {
            ClientRateLimitKind.SlidingWindow => policy.Window / policy.SegmentsPerWindow,
            ClientRateLimitKind.TokenBucket => policy.ReplenishmentPeriod,
            _ => policy.Window,
        };
        return true;
    }
}
