using System.Runtime.CompilerServices;
using Gateway.Middleware.Requests;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Send;

namespace Gateway.Middleware;

/// <summary>
/// What the request path compiles from a policy, once per policy: the answers it writes and its request to the
/// provider. A policy holds only its configuration (<see cref="SmsCodePolicy.AnswerOptions"/>,
/// <see cref="SmsCodePolicy.ProviderOptions"/>), so that <c>Policies</c> depends on nothing of the request path; these
/// read as the policy's own members wherever the request path uses them.
/// </summary>
internal static class SmsCodePolicyRequestParts
{
    // Keyed by the policy object: a reload builds new policies, and the old ones' parts go with them.
    private static readonly ConditionalWeakTable<SmsCodePolicy, Parts> Compiled = new();

    extension(SmsCodePolicy policy)
    {
        /// <summary>The answers the gate writes for this policy: the defaults with the policy's <c>Answers</c> on top.</summary>
        public SmsCodeAnswers Answers => Of(policy).Answers;

        /// <summary>The policy's own request to the provider; null for the route's request with the code in <see cref="SmsCodePolicy.CodeHeader"/>.</summary>
        public SmsCodeProviderRequest? Provider => Of(policy).Provider;
    }

    private static Parts Of(SmsCodePolicy policy) => Compiled.GetValue(policy, static policy => new Parts(
        new SmsCodeAnswers(policy.AnswerOptions.ToDictionary(StringComparer.OrdinalIgnoreCase)),
        policy.ProviderOptions is { } provider ? new SmsCodeProviderRequest(provider) : null));

    private sealed record Parts(SmsCodeAnswers Answers, SmsCodeProviderRequest? Provider);
}
