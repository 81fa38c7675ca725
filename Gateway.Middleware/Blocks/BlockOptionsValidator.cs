using Gateway.Middleware.Configuration;

namespace Gateway.Middleware.Blocks;

/// <summary>Checks a policy's <c>Blocks</c>; each failure is one line naming its key.</summary>
internal static class BlockOptionsValidator
{
    /// <summary>The block's key templates, as (key under the policy, template, placeholder).</summary>
    public static (string Kind, string Template, string Placeholder)[] TemplatesOf(SmsCodeBlockOptions blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        const string Section = nameof(SmsCodePolicyOptions.Blocks);
        return
        [
            ($"{Section}:{nameof(blocks.CounterKey)}", blocks.CounterKey, SmsCodeBlockOptions.BlockPlaceholder),
            ($"{Section}:{nameof(blocks.HourCounterKey)}", blocks.HourCounterKey, SmsCodeBlockOptions.BlockPlaceholder),
            ($"{Section}:{nameof(blocks.BlockedKey)}", blocks.BlockedKey, SmsCodeBlockOptions.BlockPlaceholder),
            ($"{Section}:{nameof(blocks.RememberedKey)}", blocks.RememberedKey, SmsCodePolicyOptions.MobilePlaceholder),
        ];
    }

    /// <summary>The failures of the policy under <paramref name="key"/> (<c>SmsCodeGate:Policies:&lt;name&gt;</c>); empty when none.</summary>
    public static IEnumerable<string> Validate(string key, SmsCodePolicyOptions policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var blocks = policy.Blocks;
        var at = $"{key}:{nameof(policy.Blocks)}";
        if (blocks.PrefixLength is < 0 or > SmsCodeBlockOptions.MaxPrefixLength)
        {
            yield return $"{at}:{nameof(blocks.PrefixLength)} must be 1 to {SmsCodeBlockOptions.MaxPrefixLength} E.164 digits, or 0 for no blocks (was {blocks.PrefixLength}).";
        }

        if (!blocks.IsOn)
        {
            yield break;
        }

        if (policy.CountryCode.Length == 0)
        {
            yield return $"{key}:{nameof(policy.CountryCode)} must be set when {at}:{nameof(blocks.PrefixLength)} is: a block is digits of the E.164 form, and a national mobile has none without it.";
        }

        if (blocks.MaxPerHour < 0)
        {
            yield return $"{at}:{nameof(blocks.MaxPerHour)} must be 0 (off) or more (was {blocks.MaxPerHour}).";
        }

        if (blocks.MinSends < 1)
        {
            yield return $"{at}:{nameof(blocks.MinSends)} must be at least 1: a block with fewer sends is never blocked (was {blocks.MinSends}).";
        }

        if (double.IsNaN(blocks.MinConversion) || blocks.MinConversion is < 0 or > 1)
        {
            yield return $"{at}:{nameof(blocks.MinConversion)} must be 0 to 1, verifications per send (was {blocks.MinConversion.ToString(System.Globalization.CultureInfo.InvariantCulture)}).";
        }

        foreach (var (name, value) in new[] { (nameof(blocks.Window), blocks.Window), (nameof(blocks.BlockFor), blocks.BlockFor) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"{at}:{name} must be positive (was {value}).";
            }
        }

        if (blocks.RememberVerified < TimeSpan.Zero)
        {
            yield return $"{at}:{nameof(blocks.RememberVerified)} must be 0 (remember none) or positive (was {blocks.RememberVerified}).";
        }

        if (!Enum.IsDefined(blocks.Mode))
        {
            yield return $"{at}:{nameof(blocks.Mode)} must be Enforce or Shadow (was {blocks.Mode}).";
        }

        foreach (var (kind, template, placeholder) in TemplatesOf(blocks))
        {
            if (SmsCodeKeyTemplate.TryParse(template, placeholder, out var error) is null)
            {
                yield return $"{key}:{kind} {error} (was '{template}').";
            }
        }

        // The same template twice in one policy is not the overlap check's to report: it is refused here.
        (string Kind, string Template)[] others =
        [
            .. TemplatesOf(blocks).Select(t => (t.Kind, t.Template)),
            (nameof(policy.SendFlagKey), policy.SendFlagKey), (nameof(policy.CodeKey), policy.CodeKey), (nameof(policy.CodeStateKey), policy.CodeStateKey),
            (nameof(policy.HourCounterKey), policy.HourCounterKey), (nameof(policy.DayCounterKey), policy.DayCounterKey),
            (nameof(policy.VerifyFailureCounterKey), policy.VerifyFailureCounterKey),
        ];
        for (var i = 0; i < 4; i++)
        {
            for (var j = i + 1; j < others.Length; j++)
            {
                if (string.Equals(others[i].Template, others[j].Template, StringComparison.Ordinal))
                {
                    yield return $"{key}:{others[i].Kind} must differ from {others[j].Kind} (both are '{others[i].Template}').";
                }
            }
        }
    }
}
