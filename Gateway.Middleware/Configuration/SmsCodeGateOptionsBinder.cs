using Microsoft.Extensions.Configuration;

namespace Gateway.Middleware.Configuration;

/// <summary>
/// Binds the <c>SmsCodeGate</c> section strictly, so that a mistake fails with the key's path instead of being
/// ignored: the configuration binder silently drops a dictionary entry whose value does not convert (a typo in
/// one value would read as "policy not defined"), and by default ignores keys that no option has.
/// </summary>
internal static class SmsCodeGateOptionsBinder
{
    public static void Bind(SmsCodeGateOptions options, IConfiguration gateSection)
    {
        foreach (var section in gateSection.GetSection(nameof(SmsCodeGateOptions.Policies)).GetChildren())
        {
            options.Policies[section.Key] = BindStrictly(section, new SmsCodePolicyOptions());
        }

        BindStrictly(gateSection, options);
    }

    private static T BindStrictly<T>(IConfiguration section, T target)
        where T : class
    {
        try
        {
            section.Bind(target, binder => binder.ErrorOnUnknownConfiguration = true);
            return target;
        }
        catch (InvalidOperationException ex)
        {
            var path = (section as IConfigurationSection)?.Path ?? SmsCodeGateOptions.SectionName;
            throw new InvalidOperationException($"{path} is invalid: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }
}
