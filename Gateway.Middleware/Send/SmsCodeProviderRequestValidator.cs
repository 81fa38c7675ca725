using Gateway.Middleware.Policies;
using Gateway.Middleware.Policies.Validators;

namespace Gateway.Middleware.Send;

/// <summary>
/// Checks a policy's <c>Provider</c> templates (method, path, body, content type, success test): the send room's part
/// of the one check of the gate's options, run by <see cref="SmsCodeGateOptionsValidator"/>.
/// </summary>
internal sealed class SmsCodeProviderRequestValidator : ISmsCodePolicyValidator
{
    public void Validate(string key, SmsCodePolicyOptions policy, IList<string> failures)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(failures);
        if (policy.Provider is { } provider)
        {
            foreach (var failure in SmsCodeProviderRequest.Validate($"{key}:{nameof(policy.Provider)}", provider))
            {
                failures.Add(failure);
            }
        }
    }
}
