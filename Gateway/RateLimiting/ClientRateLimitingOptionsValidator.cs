using Microsoft.Extensions.Options;

namespace Gateway.RateLimiting;

/// <summary>Validates the client rate-limit policies; every failure names its configuration key.</summary>
internal sealed class ClientRateLimitingOptionsValidator : IValidateOptions<ClientRateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientRateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Ipv6PrefixLength is < 1 or > 128)
        {
            failures.Add($"{ClientRateLimitingOptions.SectionName}:{nameof(options.Ipv6PrefixLength)} must be between 1 and 128 (was {options.Ipv6PrefixLength}).");
        }

        foreach (var (policyName, policy) in options.Policies)
        {
            var key = $"{ClientRateLimitingOptions.SectionName}:{nameof(options.Policies)}:{policyName}";
            if (!Enum.IsDefined(policy.Kind))
            {
                failures.Add($"{key}:{nameof(policy.Kind)} must be FixedWindow, SlidingWindow or TokenBucket (was {policy.Kind}).");
            }

            RequirePositive(failures, $"{key}:{nameof(policy.PermitLimit)}", policy.PermitLimit);
            RequirePositive(failures, $"{key}:{nameof(policy.SegmentsPerWindow)}", policy.SegmentsPerWindow);
            RequirePositive(failures, $"{key}:{nameof(policy.TokenLimit)}", policy.TokenLimit);
            RequirePositive(failures, $"{key}:{nameof(policy.TokensPerPeriod)}", policy.TokensPerPeriod);
            if (policy.Window <= TimeSpan.Zero)
            {
                failures.Add($"{key}:{nameof(policy.Window)} must be positive (was {policy.Window}).");
            }

            if (policy.ReplenishmentPeriod <= TimeSpan.Zero)
            {
                failures.Add($"{key}:{nameof(policy.ReplenishmentPeriod)} must be positive (was {policy.ReplenishmentPeriod}).");
            }

            if (policy.QueueLimit < 0)
            {
                failures.Add($"{key}:{nameof(policy.QueueLimit)} must not be negative (was {policy.QueueLimit}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequirePositive(List<string> failures, string key, int value)
    {
        if (value <= 0)
        {
            failures.Add($"{key} must be positive (was {value}).");
        }
    }
}
