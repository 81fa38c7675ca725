using Microsoft.Extensions.Options;

namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// The one check of the <c>SmsCodeGate</c> section: the gate's own settings, then every policy through each
/// <see cref="ISmsCodePolicyValidator"/> (the policies' own concerns, then those the request path registers), then the
/// policies against each other (<see cref="KeyTemplateOverlap"/>). Every failure names the configuration key it is about.
/// </summary>
internal sealed class SmsCodeGateOptionsValidator : IValidateOptions<SmsCodeGateOptions>
{
    private readonly ISmsCodePolicyValidator[] _policyValidators;

    /// <summary>A validator of the policies' own concerns only.</summary>
    public SmsCodeGateOptionsValidator()
        : this([])
    {
    }

    /// <summary>A validator of the policies' own concerns and of <paramref name="registered"/>, those the request path adds.</summary>
    public SmsCodeGateOptionsValidator(IEnumerable<ISmsCodePolicyValidator> registered)
    {
        ArgumentNullException.ThrowIfNull(registered);
        _policyValidators =
        [
            new PolicyMobileValidator(),
            new PolicyLimitsValidator(),
            new PolicyKeysValidator(),
            new PolicyAnswersValidator(),
            new PolicyHeadersValidator(),
            .. registered,
        ];
    }

    public ValidateOptionsResult Validate(string? name, SmsCodeGateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        GateSettingsValidator.Validate(options, failures);
        foreach (var (policyName, policy) in options.Policies)
        {
            var key = $"{SmsCodeGateOptions.SectionName}:{nameof(options.Policies)}:{policyName}";
            if (policy is null)
            {
                failures.Add($"{key} is empty.");
                continue;
            }

            foreach (var validator in _policyValidators)
            {
                validator.Validate(key, policy, failures);
            }
        }

        failures.AddRange(KeyTemplateOverlap.Check(SmsCodeGateOptions.SectionName, options.Policies));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
