using System.Collections.Frozen;
using Gateway.Middleware.Configuration;
using PhoneNumbers;

namespace Gateway.Middleware.Numbers;

/// <summary>
/// A policy's compiled number rules (<c>Numbers:AllowRegions</c>, <c>DenyPrefixes</c>, <c>DenyTypes</c>), checked against
/// a read number without allocating. The most specific rule wins: a type, or a prefix longer than the number's country
/// calling code, is narrower than a region and wins over <c>AllowRegions</c>; a region wins over a prefix no longer than
/// the calling code (<c>"+1"</c>), which covers whole regions. docs/numbers.md has the table.
/// </summary>
internal sealed class NumberRules
{
    private readonly FrozenSet<string> _allowRegions;
    private readonly string[] _denyPrefixes;
    private readonly bool[] _denyTypes;
    private readonly bool _checksType;

    /// <summary>Compiles <paramref name="options"/>, which the validator has accepted.</summary>
    public NumberRules(SmsCodeNumbersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allowRegions = options.AllowRegions.Select(r => r.Trim().ToUpperInvariant()).ToFrozenSet(StringComparer.Ordinal);
        _denyPrefixes = [.. options.DenyPrefixes.Select(p => p.Trim()).Distinct(StringComparer.Ordinal)];
        _denyTypes = new bool[Enum.GetValues<PhoneNumberType>().Max(t => (int)t) + 1];
        foreach (var name in options.DenyTypes)
        {
            _denyTypes[(int)(NumberTypeNames.TryParse(name) ?? throw new InvalidOperationException($"'{name}' is not a number type."))] = true;
            _checksType = true;
        }

        Mode = options.Mode;
        Regions = _allowRegions;
    }

    /// <summary>Enforce (refuse) or Shadow (count and let pass).</summary>
    public SmsCodeRuleMode Mode { get; }

    /// <summary>The allowed regions, upper case; empty when every region is.</summary>
    public IReadOnlySet<string> Regions { get; }

    /// <summary>Which rule refuses <paramref name="number"/>, or <see cref="NumberRefusal.None"/>.</summary>
    public NumberRefusal Check(in PhoneNumberReading number)
    {
        var e164 = number.E164;
        var callingCodeLength = 1 + DigitCount(number.CountryCode);
        var broadPrefix = false;
        foreach (var prefix in _denyPrefixes)
        {
            if (e164.StartsWith(prefix, StringComparison.Ordinal))
            {
                if (prefix.Length > callingCodeLength)
                {
                    return NumberRefusal.Prefix;
                }

                broadPrefix = true;
            }
        }

        if (_checksType && _denyTypes[(int)number.Type])
        {
            return NumberRefusal.Type;
        }

        if (_allowRegions.Count > 0)
        {
            return _allowRegions.Contains(number.Region) ? NumberRefusal.None : NumberRefusal.Region;
        }

        return broadPrefix ? NumberRefusal.Prefix : NumberRefusal.None;
    }

    private static int DigitCount(int value) => value < 10 ? 1 : value < 100 ? 2 : 3;
}
