using PhoneNumbers;

namespace Gateway.Middleware.Numbers;

/// <summary>
/// A mobile as libphonenumber reads it: its E.164 form, its region and (computed on demand) its type. Only the number
/// rules see this form; the keys keep the mobile exactly as the app sent it.
/// </summary>
internal readonly struct PhoneNumberReading
{
    private readonly PhoneNumber _number;

    internal PhoneNumberReading(PhoneNumber number, string e164, string region)
    {
        _number = number;
        E164 = e164;
        Region = region;
    }

    /// <summary>The E.164 form: <c>+</c>, the country calling code and the national number, digits only (<c>+8613800138000</c>).</summary>
    public string E164 { get; }

    /// <summary>
    /// The ISO 3166 region the number belongs to (<c>CN</c>, <c>US</c>, <c>CA</c>), <c>001</c> for a non-geographic
    /// number (<c>+800</c>), or <c>ZZ</c> when libphonenumber cannot place it (an invalid number of a shared calling code).
    /// </summary>
    public string Region { get; }

    /// <summary>The country calling code: 86, 1, 44.</summary>
    public int CountryCode => _number.CountryCode;

    /// <summary>
    /// The number's libphonenumber type (<see cref="PhoneNumberType.MOBILE"/>, <see cref="PhoneNumberType.PREMIUM_RATE"/>,
    /// <see cref="PhoneNumberType.UNKNOWN"/> for a number valid in no plan, ...). Computed on each read (a few
    /// microseconds of regular expressions), so read it once.
    /// </summary>
    public PhoneNumberType Type => PhoneNumberReader.Util.GetNumberType(_number);
}
