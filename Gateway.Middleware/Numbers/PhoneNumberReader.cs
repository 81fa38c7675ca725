using Gateway.Middleware.Configuration;
using PhoneNumbers;

namespace Gateway.Middleware.Numbers;

/// <summary>
/// Reads a mobile with Google's libphonenumber, as a policy's number rules see it: a mobile that starts with <c>+</c>
/// is read as E.164, any other as a national number of the policy's <c>CountryCode</c>.
/// </summary>
/// <remarks>
/// libphonenumber loads its metadata (about a quarter of a second) on first use and compiles each region's patterns on
/// the first number of that region; <see cref="Warm"/> does both at start-up, so that no request pays for them. A read
/// then costs a few microseconds and a few hundred bytes (the library's own number object); the type a few more.
/// </remarks>
internal static class PhoneNumberReader
{
    /// <summary>libphonenumber's region code for "no region": what a number of no country calling code is read against.</summary>
    public const string UnknownRegion = "ZZ";

    /// <summary>libphonenumber's region code of a non-geographic number (<c>+800</c>, <c>+882</c>).</summary>
    public const string NonGeographicRegion = "001";

    /// <summary>The library's single instance; its first use loads the metadata of every region.</summary>
    internal static PhoneNumberUtil Util { get; } = PhoneNumberUtil.GetInstance();

    /// <summary>
    /// Reads <paramref name="mobile"/> (as the app sent it, already checked to be digits with an optional leading
    /// <c>+</c>) as <paramref name="policy"/>'s number rules do. False when libphonenumber cannot parse it, or when it
    /// is national and the policy has no <c>CountryCode</c>.
    /// </summary>
    public static bool TryRead(SmsCodePolicy policy, string mobile, out PhoneNumberReading reading)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return TryRead(policy.NumberRegion, mobile, out reading);
    }

    /// <summary>
    /// Reads <paramref name="mobile"/>: E.164 when it starts with <c>+</c>, else a national number of
    /// <paramref name="defaultRegion"/> (the main region of the policy's calling code, e.g. <c>CN</c> for 86).
    /// </summary>
    public static bool TryRead(string? defaultRegion, string mobile, out PhoneNumberReading reading)
    {
        ArgumentNullException.ThrowIfNull(mobile);
        reading = default;
        var international = mobile.StartsWith('+');
        if (!international && defaultRegion is null)
        {
            return false;
        }

        PhoneNumber number;
        try
        {
            number = Util.Parse(mobile, international ? UnknownRegion : defaultRegion);
        }
        catch (NumberParseException)
        {
            return false;
        }

        // A mobile of digits has no extension ("ext.", "#"): one would mean the library read something else than digits.
        if (number.HasExtension)
        {
            return false;
        }

        var e164 = Util.Format(number, PhoneNumberFormat.E164);
        reading = new PhoneNumberReading(number, e164, Util.GetRegionCodeForNumber(number) ?? UnknownRegion);
        return true;
    }

    /// <summary>
    /// The main region of a country calling code (<c>CN</c> for <c>"86"</c>, <c>US</c> for <c>"1"</c>), or null when
    /// <paramref name="countryCode"/> is not one (digits only, no <c>+</c>).
    /// </summary>
    public static string? RegionOfCountryCode(string countryCode)
    {
        if (string.IsNullOrEmpty(countryCode) || countryCode.Length > 3 || !countryCode.All(char.IsAsciiDigit) || countryCode[0] == '0'
            || !int.TryParse(countryCode, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            return null;
        }

        // A non-geographic code (800, 882, ...) has no national numbers to read: its region is "001".
        var region = Util.GetRegionCodeForCountryCode(code);
        return region is UnknownRegion or NonGeographicRegion ? null : region;
    }

    /// <summary>True when <paramref name="region"/> is an ISO 3166 region libphonenumber knows (upper case: <c>CN</c>).</summary>
    public static bool IsRegion(string region) => Util.GetSupportedRegions().Contains(region);

    /// <summary>Warms the library for a policy's own region and its allowed regions (see <see cref="Warm"/>).</summary>
    public static void WarmFor(string? numberRegion, IEnumerable<string>? allowRegions)
    {
        if (numberRegion is not null)
        {
            Warm(numberRegion);
        }

        foreach (var region in allowRegions ?? [])
        {
            Warm(region);
        }
    }

    /// <summary>
    /// Loads the metadata and compiles <paramref name="region"/>'s patterns by reading one of its example numbers
    /// (and its type), so that the first request of that region does not pay for it.
    /// </summary>
    public static void Warm(string region)
    {
        if (Util.GetExampleNumber(region) is { } example)
        {
            _ = Util.GetNumberType(example);
            _ = TryRead(region, Util.Format(example, PhoneNumberFormat.E164), out _);
        }
    }
}
