namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// Checks a policy's Redis keys: its database, each key template (its placeholder, its form), that no two of a mobile's
/// keys are the same, and the audit stream's plain key. Keys that two policies share are <see cref="KeyTemplateOverlap"/>'s.
/// </summary>
internal sealed class PolicyKeysValidator : ISmsCodePolicyValidator
{
    public void Validate(string key, SmsCodePolicyOptions policy, IList<string> failures)
    {
        if (policy.Database < 0)
        {
            failures.Add($"{key}:{nameof(policy.Database)} must not be negative (was {policy.Database}).");
        }

        ValidateTemplate(failures, $"{key}:{nameof(policy.SendFlagKey)}", policy.SendFlagKey, SmsCodePolicyOptions.MobilePlaceholder);
        ValidateTemplate(failures, $"{key}:{nameof(policy.CodeKey)}", policy.CodeKey, SmsCodePolicyOptions.MobilePlaceholder);
        ValidateTemplate(failures, $"{key}:{nameof(policy.CodeStateKey)}", policy.CodeStateKey, SmsCodePolicyOptions.MobilePlaceholder);
        ValidateTemplate(failures, $"{key}:{nameof(policy.HourCounterKey)}", policy.HourCounterKey, SmsCodePolicyOptions.MobilePlaceholder);
        ValidateTemplate(failures, $"{key}:{nameof(policy.DayCounterKey)}", policy.DayCounterKey, SmsCodePolicyOptions.MobilePlaceholder);
        ValidateTemplate(failures, $"{key}:{nameof(policy.IpCounterKey)}", policy.IpCounterKey, SmsCodePolicyOptions.IpPlaceholder);
        ValidateTemplate(failures, $"{key}:{nameof(policy.SpendCounterKey)}", policy.SpendCounterKey, SmsCodePolicyOptions.PolicyPlaceholder);
        ValidateTemplate(failures, $"{key}:{nameof(policy.VerifyFailureCounterKey)}", policy.VerifyFailureCounterKey, SmsCodePolicyOptions.MobilePlaceholder);
        if (policy.AuditStreamKey.Length > 0 && (string.IsNullOrWhiteSpace(policy.AuditStreamKey) || policy.AuditStreamKey.Contains('{', StringComparison.Ordinal)))
        {
            failures.Add($"{key}:{nameof(policy.AuditStreamKey)} must be a plain key, one stream for the policy, without placeholders (was '{policy.AuditStreamKey}').");
        }

        RequireDistinct(failures, key, [
            (nameof(policy.SendFlagKey), policy.SendFlagKey),
            (nameof(policy.CodeKey), policy.CodeKey),
            (nameof(policy.CodeStateKey), policy.CodeStateKey),
            (nameof(policy.HourCounterKey), policy.HourCounterKey),
            (nameof(policy.DayCounterKey), policy.DayCounterKey),
            (nameof(policy.VerifyFailureCounterKey), policy.VerifyFailureCounterKey),
        ]);
    }

    private static void ValidateTemplate(IList<string> failures, string key, string? template, string placeholder)
    {
        if (SmsCodeKeyTemplate.TryParse(template, placeholder, out var error) is null)
        {
            failures.Add($"{key} {error} (was '{template}').");
        }
    }

    private static void RequireDistinct(IList<string> failures, string key, (string Name, string Template)[] templates)
    {
        for (var i = 1; i < templates.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (string.Equals(templates[i].Template, templates[j].Template, StringComparison.Ordinal))
                {
                    failures.Add($"{key}:{templates[i].Name} must differ from {templates[j].Name} (both are '{templates[i].Template}').");
                    break;
                }
            }
        }
    }
}
