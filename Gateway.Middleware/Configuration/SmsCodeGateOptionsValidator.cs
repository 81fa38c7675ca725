using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Gateway.Middleware.Configuration;

/// <summary>Validates <see cref="SmsCodeGateOptions"/>; every failure names the configuration key it is about.</summary>
internal sealed class SmsCodeGateOptionsValidator : IValidateOptions<SmsCodeGateOptions>
{
    private const int MinCodeLength = 4;
    private const int MaxCodeLength = 10;
    private const int MaxBodySizeLimit = 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, SmsCodeGateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string section = SmsCodeGateOptions.SectionName;

        if (!string.IsNullOrWhiteSpace(options.Redis))
        {
            failures.AddRange(Validators.RedisConfigurationString.Validate($"{section}:{nameof(options.Redis)}", options.Redis));
        }

        RequirePositive(failures, $"{section}:{nameof(options.StoreTimeout)}", options.StoreTimeout);
        RequirePositive(failures, $"{section}:{nameof(options.StoreBreakDuration)}", options.StoreBreakDuration);
        if (options.ClientIpv6PrefixLength is < 1 or > 128)
        {
            failures.Add($"{section}:{nameof(options.ClientIpv6PrefixLength)} must be between 1 and 128 (was {options.ClientIpv6PrefixLength}).");
        }

        foreach (var (policyName, policy) in options.Policies)
        {
            var key = $"{section}:{nameof(options.Policies)}:{policyName}";
            if (policy is null)
            {
                failures.Add($"{key} is empty.");
                continue;
            }

            ValidatePolicy(failures, key, policy);
        }

        failures.AddRange(Keys.KeyTemplateOverlap.Check(section, options.Policies));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidatePolicy(List<string> failures, string key, SmsCodePolicyOptions policy)
    {
        ValidatePattern(failures, $"{key}:{nameof(policy.MobilePattern)}", policy.MobilePattern);
        RequirePositive(failures, $"{key}:{nameof(policy.SendInterval)}", policy.SendInterval);
        RequirePositive(failures, $"{key}:{nameof(policy.CodeLifetime)}", policy.CodeLifetime);

        if (policy.CodeLength is < MinCodeLength or > MaxCodeLength)
        {
            failures.Add($"{key}:{nameof(policy.CodeLength)} must be between {MinCodeLength} and {MaxCodeLength} (was {policy.CodeLength}).");
        }

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
        if (policy.AuditStreamKey.Length > 0 && (string.IsNullOrWhiteSpace(policy.AuditStreamKey) || policy.AuditStreamKey.Contains('{', StringComparison.Ordinal)))
        {
            failures.Add($"{key}:{nameof(policy.AuditStreamKey)} must be a plain key, one stream for the policy, without placeholders (was '{policy.AuditStreamKey}').");
        }

        ValidateSource(failures, $"{key}:{nameof(policy.MobileFrom)}", policy.MobileFrom);
        ValidateSource(failures, $"{key}:{nameof(policy.CodeFrom)}", policy.CodeFrom);
        if (policy.MaxBodySize is < 1 or > MaxBodySizeLimit)
        {
            failures.Add($"{key}:{nameof(policy.MaxBodySize)} must be between 1 and {MaxBodySizeLimit} bytes (was {policy.MaxBodySize}).");
        }

        RequireNotNegative(failures, $"{key}:{nameof(policy.MaxVerifyAttempts)}", policy.MaxVerifyAttempts);
        RequireNotNegative(failures, $"{key}:{nameof(policy.MaxVerifyFailuresPerDay)}", policy.MaxVerifyFailuresPerDay);
        ValidateTemplate(failures, $"{key}:{nameof(policy.VerifyFailureCounterKey)}", policy.VerifyFailureCounterKey, SmsCodePolicyOptions.MobilePlaceholder);
        RequirePositive(failures, $"{key}:{nameof(policy.VerifyTimeout)}", policy.VerifyTimeout);
        if (policy.VerifySuccessWhen is { } verifySuccess)
        {
            failures.AddRange(SmsCodeSuccessMatcher.Validate($"{key}:{nameof(policy.VerifySuccessWhen)}", verifySuccess));
        }

        RequireNotNegative(failures, $"{key}:{nameof(policy.MaxPerHour)}", policy.MaxPerHour);
        RequireNotNegative(failures, $"{key}:{nameof(policy.MaxPerDay)}", policy.MaxPerDay);
        RequireNotNegative(failures, $"{key}:{nameof(policy.MaxPerIpPerHour)}", policy.MaxPerIpPerHour);
        RequireNotNegative(failures, $"{key}:{nameof(policy.MaxSendsPerMinute)}", policy.MaxSendsPerMinute);
        RequireDistinctKeys(failures, key, [
            (nameof(policy.SendFlagKey), policy.SendFlagKey),
            (nameof(policy.CodeKey), policy.CodeKey),
            (nameof(policy.CodeStateKey), policy.CodeStateKey),
            (nameof(policy.HourCounterKey), policy.HourCounterKey),
            (nameof(policy.DayCounterKey), policy.DayCounterKey),
            (nameof(policy.VerifyFailureCounterKey), policy.VerifyFailureCounterKey),
        ]);
        if (string.IsNullOrWhiteSpace(policy.CodeHeader) || !IsHeaderToken(policy.CodeHeader))
        {
            failures.Add($"{key}:{nameof(policy.CodeHeader)} must be a valid HTTP header name (was '{policy.CodeHeader}').");
        }

        failures.AddRange(Numbers.NumberOptionsValidator.Validate(key, policy));
        failures.AddRange(Blocks.BlockOptionsValidator.Validate(key, policy));

        foreach (var (name, answer) in policy.Answers)
        {
            var answerKey = $"{key}:{nameof(policy.Answers)}:{name}";
            if (!Enum.TryParse<SmsCodeAnswerKind>(name, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || char.IsDigit(name[0]))
            {
                failures.Add($"{answerKey} is not an answer the gate writes; it may be {string.Join(", ", Enum.GetNames<SmsCodeAnswerKind>())}.");
                continue;
            }

            if (answer.Status is { } status && status is < 200 or > 599)
            {
                failures.Add($"{answerKey}:{nameof(answer.Status)} must be an HTTP status from 200 to 599 (was {status}).");
            }

            if (answer.Body is { } body && TextTemplate.TryParse(body, Gate.SmsCodeAnswer.Placeholders, out var error) is null)
            {
                failures.Add($"{answerKey}:{nameof(answer.Body)} {error}.");
            }

            if (answer.ContentType is { } contentType && !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out _))
            {
                failures.Add($"{answerKey}:{nameof(answer.ContentType)} is not a media type (was '{contentType}').");
            }
        }

        if (policy.Provider is { } provider)
        {
            failures.AddRange(Transforms.SmsCodeProviderRequest.Validate($"{key}:{nameof(policy.Provider)}", provider));
            foreach (var (header, value) in provider.Headers)
            {
                if (!IsHeaderToken(header) || value.Any(c => c is '\r' or '\n'))
                {
                    failures.Add($"{key}:{nameof(policy.Provider)}:{nameof(provider.Headers)}:{header} must be a header name with a single-line value.");
                }
            }
        }

        for (var i = 0; i < policy.ProviderRequestHeaders.Count; i++)
        {
            var header = policy.ProviderRequestHeaders[i];
            if (string.IsNullOrWhiteSpace(header) || !IsHeaderToken(header))
            {
                failures.Add($"{key}:{nameof(policy.ProviderRequestHeaders)}:{i} must be a valid HTTP header name (was '{header}').");
            }
            else if (string.Equals(header, policy.CodeHeader, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{key}:{nameof(policy.ProviderRequestHeaders)}:{i} names the code header '{header}', which only the gate may set.");
            }
        }
    }

    private static void RequirePositive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key} must be positive (was {value}).");
        }
    }

    private static void RequireDistinctKeys(List<string> failures, string key, (string Name, string Template)[] templates)
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

    private static void RequireNotNegative(List<string> failures, string key, int value)
    {
        if (value < 0)
        {
            failures.Add($"{key} must be 0 (off) or positive (was {value}).");
        }
    }

    private static void ValidatePattern(List<string> failures, string key, string? pattern)
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

    private static void ValidateSource(List<string> failures, string key, string? source)
    {
        if (RequestValueSource.TryParse(source, out var error) is null)
        {
            failures.Add($"{key} {error} (was '{source}').");
        }
    }

    private static void ValidateTemplate(List<string> failures, string key, string? template, string placeholder)
    {
        if (SmsCodeKeyTemplate.TryParse(template, placeholder, out var error) is null)
        {
            failures.Add($"{key} {error} (was '{template}').");
        }
    }

    private static bool IsHeaderToken(string name)
    {
        foreach (var c in name)
        {
            if (c is <= ' ' or >= (char)127 or '(' or ')' or '<' or '>' or '@' or ',' or ';' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '=' or '{' or '}')
            {
                return false;
            }
        }

        return true;
    }
}
