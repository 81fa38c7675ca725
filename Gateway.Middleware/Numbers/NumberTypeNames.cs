using PhoneNumbers;

namespace Gateway.Middleware.Numbers;

/// <summary>
/// The names of libphonenumber's number types as configuration spells them: <c>PREMIUM_RATE</c> is <c>PremiumRate</c>.
/// Case and underscores are ignored when reading one, so the library's own spelling is accepted too.
/// </summary>
internal static class NumberTypeNames
{
    /// <summary>Every type's configuration name, in the library's order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<PhoneNumberType>().Select(NameOf)];

    /// <summary>The configuration name of <paramref name="type"/>: <c>PremiumRate</c>, <c>Voip</c>, <c>Uan</c>.</summary>
    public static string NameOf(PhoneNumberType type) =>
        string.Concat(type.ToString().Split('_').Select(word => word[..1] + word[1..].ToLowerInvariant()));

    /// <summary>The type <paramref name="name"/> names, or null.</summary>
    public static PhoneNumberType? TryParse(string? name)
    {
        var key = name?.Trim().Replace("_", string.Empty, StringComparison.Ordinal);
        foreach (var type in Enum.GetValues<PhoneNumberType>())
        {
            if (string.Equals(NameOf(type), key, StringComparison.OrdinalIgnoreCase))
            {
                return type;
            }
        }

        return null;
    }
}
