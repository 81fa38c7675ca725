using Gateway.Middleware.Policies;
using Gateway.Middleware.Requests;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Gateway.Middleware;

/// <summary>Answers in the gate's words a request that something in front of the gate refused.</summary>
public static class SmsCodeGateHttpContextExtensions
{
    /// <summary>
    /// Writes the <see cref="SmsCodeAnswerKind.TooManyRequests"/> answer of the gate policy that the request's route
    /// names (in any of its roles), or the default 429 <c>{"message": ...}</c> when it names none: for a client rate
    /// limiter in front of the gate, from <c>RateLimiterOptions.OnRejected</c>, so that a policy that rewords its
    /// answers rewords this one too. With <paramref name="retryAfter"/>, sets <c>Retry-After</c> to it in whole
    /// seconds, rounded up, at least 1 (also the answer's <c>{retryAfter}</c>; 0 without it).
    /// </summary>
    public static Task WriteSmsCodeTooManyRequestsAsync(this HttpContext context, TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(context);
        long retryAfterSeconds = 0;
        if (retryAfter is { } wait)
        {
            retryAfterSeconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
            context.Response.Headers.RetryAfter = SmsCodeResponses.RetryAfter(retryAfterSeconds);
        }

        return AnswersFor(context)[SmsCodeAnswerKind.TooManyRequests].WriteAsync(context.Response, retryAfterSeconds);
    }

    /// <summary>The answers of the gate policy the route names, if any.</summary>
    private static SmsCodeAnswers AnswersFor(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.Metadata;
        if (metadata is not null && context.RequestServices?.GetService(typeof(SmsCodePolicyRegistry)) is SmsCodePolicyRegistry registry)
        {
            foreach (var role in SmsCodeGateMetadata.Roles)
            {
                if (metadata.TryGetValue(role, out var name) && registry.TryGet(name, out var policy))
                {
                    return policy.Answers;
                }
            }
        }

        return SmsCodeAnswers.Default;
    }
}
