using Gateway.Middleware.Configuration;
using Gateway.Middleware.Configuration.Keys;
using Gateway.Shared;

namespace Gateway.Middleware.Numbers;

/// <summary>
/// Checks a policy's <c>CountryCode</c> and <c>Numbers</c> against libphonenumber's own metadata; each failure is one line
/// naming its key, with the likely intended value where there is one.
/// </summary>
internal static class NumberOptionsValidator
{
    private const int MaxE164Digits = 15;

    /// <summary>Every country calling code libphonenumber knows, non-geographic ones (800, 882, ...) included.</summary>
    private static readonly string[] CallingCodes = [.. Enumerable.Range(1, 999)
        .Where(code => PhoneNumberReader.Util.GetRegionCodeForCountryCode(code) != PhoneNumberReader.UnknownRegion)
        .Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The failures of the policy under <paramref name="key"/> (<c>SmsCodeGate:Policies:&lt;name&gt;</c>); empty when none.</summary>
    public static IEnumerable<string> Validate(string key, SmsCodePolicyOptions policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var failures = new List<string>();
        var numbers = policy.Numbers;
        var numbersKey = $"{key}:{nameof(policy.Numbers)}";
        if (policy.CountryCode.Length > 0 && PhoneNumberReader.RegionOfCountryCode(policy.CountryCode) is null)
        {
            var digits = policy.CountryCode.Trim().TrimStart('+');
            var hint = digits != policy.CountryCode && PhoneNumberReader.RegionOfCountryCode(digits) is not null ? $" (did you mean {digits}?)" : string.Empty;
            failures.Add($"{key}:{nameof(policy.CountryCode)} must be a country calling code, digits without '+' such as 86 or 1 (was '{policy.CountryCode}'){hint}.");
        }

        for (var i = 0; i < numbers.AllowRegions.Count; i++)
        {
            var region = numbers.AllowRegions[i] ?? string.Empty;
            if (!PhoneNumberReader.IsRegion(region.Trim().ToUpperInvariant()))
            {
                failures.Add($"{numbersKey}:{nameof(numbers.AllowRegions)}:{i} must be an ISO 3166 region code such as CN or HK (was '{region}'){RegionHint(region)}.");
            }
        }

        for (var i = 0; i < numbers.DenyPrefixes.Count; i++)
        {
            if (PrefixProblem(numbers.DenyPrefixes[i] ?? string.Empty) is { } problem)
            {
                failures.Add($"{numbersKey}:{nameof(numbers.DenyPrefixes)}:{i} {problem}.");
            }
        }

        for (var i = 0; i < numbers.DenyTypes.Count; i++)
        {
            var type = numbers.DenyTypes[i] ?? string.Empty;
            if (NumberTypeNames.TryParse(type) is null)
            {
                failures.Add($"{numbersKey}:{nameof(numbers.DenyTypes)}:{i} must be a libphonenumber number type, one of {string.Join(", ", NumberTypeNames.All)} (was '{type}'){DidYouMean.Suffix(type, NumberTypeNames.All)}.");
            }
        }

        if (numbers.HasRules && policy.CountryCode.Length == 0 && NationalWitness(policy.MobilePattern) is { } national)
        {
            failures.Add($"{key}:{nameof(policy.CountryCode)} must be set when {nameof(policy.Numbers)} has rules and {nameof(policy.MobilePattern)} admits a mobile without '+' such as '{national}': it says which country such a mobile is of (e.g. 86).");
        }

        return failures;
    }

    /// <summary>Why <paramref name="prefix"/> is not an E.164 prefix of a known calling code; null when it is one.</summary>
    private static string? PrefixProblem(string prefix)
    {
        var digits = prefix.TrimStart('+');
        var compact = string.Concat(digits.Where(char.IsAsciiDigit));
        if (!prefix.StartsWith('+') || digits.Length == 0 || digits.Length > MaxE164Digits || !digits.All(char.IsAsciiDigit))
        {
            var hint = compact.Length is > 0 and <= MaxE164Digits && compact[0] != '0' ? $" (did you mean +{compact}?)" : string.Empty;
            return $"must be an E.164 prefix, '+' and up to {MaxE164Digits} digits such as +86170 (was '{prefix}'){hint}";
        }

        // A prefix is a calling code with digits after it (+86170), or the start of one (+8: +81, +86, ...).
        return CallingCodes.Any(code => digits.StartsWith(code, StringComparison.Ordinal) || code.StartsWith(digits, StringComparison.Ordinal))
            ? null
            : $"must start with a country calling code (was '{prefix}', and none starts it)";
    }

    private static string RegionHint(string region)
    {
        var upper = region.Trim().ToUpperInvariant();
        if (upper == "UK")
        {
            return " (did you mean GB?)";
        }

        var regions = PhoneNumberReader.Util.GetSupportedRegions();
        if (upper.Length == 3)
        {
            // An alpha-3 code (CHN): its alpha-2 twin, as .NET's region data knows it.
            foreach (var candidate in regions)
            {
                try
                {
                    if (new System.Globalization.RegionInfo(candidate).ThreeLetterISORegionName == upper)
                    {
                        return $" (did you mean {candidate}?)";
                    }
                }
                catch (ArgumentException)
                {
                    // .NET does not know every region libphonenumber does.
                }
            }
        }

        return upper.Length == 2 ? string.Empty : DidYouMean.Suffix(upper, regions);
    }

    /// <summary>A value without '+' that the pattern can match, or null when it admits only E.164 mobiles.</summary>
    private static string? NationalWitness(string pattern)
    {
        CharNfa nfa;
        try
        {
            nfa = new MobilePatternParser(pattern, MobilePatternCheck.Alphabet).Build();
        }
        catch (InvalidOperationException)
        {
            return null; // MobilePattern's own check refuses it, naming why.
        }

        var national = new CharNfa();
        var start = national.AddState();
        var digits = national.AddState();
        national.Start = start;
        national.AddEdge(start, digits, char.IsAsciiDigit);
        national.AddEdge(digits, digits, char.IsAsciiDigit);
        national.Accept(digits);
        return CharNfa.FindCommonWord(nfa, national, MobilePatternCheck.Alphabet);
    }
}
