using System.Text.RegularExpressions;

namespace Gateway.Middleware.Policies.Validators;

/// <summary>Checks where a policy reads the mobile and the code (<c>MobileFrom</c>, <c>CodeFrom</c>) and what a mobile may be (<c>MobilePattern</c>).</summary>
internal sealed class PolicyMobileValidator : ISmsCodePolicyValidator
{
    public void Validate(string key, SmsCodePolicyOptions policy, IList<string> failures)
    {
        ValidatePattern(failures, $"{key}:{nameof(policy.MobilePattern)}", policy.MobilePattern);
        ValidateSource(failures, $"{key}:{nameof(policy.MobileFrom)}", policy.MobileFrom);
        ValidateSource(failures, $"{key}:{nameof(policy.CodeFrom)}", policy.CodeFrom);
    }

    private static void ValidatePattern(IList<string> failures, string key, string? pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            failures.Add($"{key} must not be empty.");
            return;
        }

        try
        {
            // The pattern alone first, so that an error is about what the operator wrote, not the anchors put around it.
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            _ = new Regex(SmsCodePolicy.WholeValue(pattern), RegexOptions.CultureInvariant);
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{key} is not a valid regular expression: {ex.Message}");
            return;
        }

        if (Keys.MobilePatternCheck.Check(pattern) is { } problem)
        {
            failures.Add($"{key} {problem} (was '{pattern}').");
        }
    }

    private static void ValidateSource(IList<string> failures, string key, string? source)
    {
        if (RequestValueSource.TryParse(source, out var error) is null)
        {
            failures.Add($"{key} {error} (was '{source}').");
        }
    }
}
