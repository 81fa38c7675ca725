namespace Gateway.Middleware.Policies.Validators;

/// <summary>Checks the gate's own settings, those outside any policy: the Redis connection string, the store's timeouts, the IPv6 prefix.</summary>
internal static class GateSettingsValidator
{
    public static void Validate(SmsCodeGateOptions options, IList<string> failures)
    {
        const string section = SmsCodeGateOptions.SectionName;
        if (!string.IsNullOrWhiteSpace(options.Redis))
        {
            foreach (var failure in RedisConfigurationString.Validate($"{section}:{nameof(options.Redis)}", options.Redis))
            {
                failures.Add(failure);
            }
        }

        Require.Positive(failures, $"{section}:{nameof(options.StoreTimeout)}", options.StoreTimeout);
        Require.Positive(failures, $"{section}:{nameof(options.StoreBreakDuration)}", options.StoreBreakDuration);
        Require.Between(failures, $"{section}:{nameof(options.ClientIpv6PrefixLength)}", options.ClientIpv6PrefixLength, 1, 128);
    }
}
