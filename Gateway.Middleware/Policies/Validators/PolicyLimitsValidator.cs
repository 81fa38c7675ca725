namespace Gateway.Middleware.Policies.Validators;

/// <summary>Checks a policy's numbers and times: the code, the send interval, the caps, the body size, the verify limits.</summary>
internal sealed class PolicyLimitsValidator : ISmsCodePolicyValidator
{
    private const int MinCodeLength = 4;
    private const int MaxCodeLength = 10;
    private const int MaxBodySizeLimit = 1024 * 1024;

    public void Validate(string key, SmsCodePolicyOptions policy, IList<string> failures)
    {
        Require.Positive(failures, $"{key}:{nameof(policy.SendInterval)}", policy.SendInterval);
        Require.Positive(failures, $"{key}:{nameof(policy.CodeLifetime)}", policy.CodeLifetime);
        Require.Between(failures, $"{key}:{nameof(policy.CodeLength)}", policy.CodeLength, MinCodeLength, MaxCodeLength);
        Require.Between(failures, $"{key}:{nameof(policy.MaxBodySize)}", policy.MaxBodySize, 1, MaxBodySizeLimit, " bytes");
        Require.NotNegative(failures, $"{key}:{nameof(policy.MaxVerifyAttempts)}", policy.MaxVerifyAttempts);
        Require.NotNegative(failures, $"{key}:{nameof(policy.MaxVerifyFailuresPerDay)}", policy.MaxVerifyFailuresPerDay);
        Require.Positive(failures, $"{key}:{nameof(policy.VerifyTimeout)}", policy.VerifyTimeout);
        if (policy.VerifySuccessWhen is { } verifySuccess)
        {
            foreach (var failure in SmsCodeSuccessMatcher.Validate($"{key}:{nameof(policy.VerifySuccessWhen)}", verifySuccess))
            {
                failures.Add(failure);
            }
        }

        Require.NotNegative(failures, $"{key}:{nameof(policy.MaxPerHour)}", policy.MaxPerHour);
        Require.NotNegative(failures, $"{key}:{nameof(policy.MaxPerDay)}", policy.MaxPerDay);
        Require.NotNegative(failures, $"{key}:{nameof(policy.MaxPerIpPerHour)}", policy.MaxPerIpPerHour);
        Require.NotNegative(failures, $"{key}:{nameof(policy.MaxSendsPerMinute)}", policy.MaxSendsPerMinute);
    }
}
