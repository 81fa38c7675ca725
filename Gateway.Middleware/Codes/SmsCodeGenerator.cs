using System.Globalization;
using System.Security.Cryptography;

namespace Gateway.Middleware.Codes;

/// <summary>
/// Codes from the operating system's cryptographically secure generator, uniform over all codes of the length:
/// one unbiased draw below 10^length (<see cref="RandomNumberGenerator.GetInt32(int)"/> rejects the biased
/// tail), written zero-padded. One draw instead of one per digit: it is on the gate's hot path.
/// </summary>
internal sealed class SmsCodeGenerator : ISmsCodeGenerator
{
    private const int MaxSingleDrawLength = 9;
    private const string Digits = "0123456789";
    private static readonly int[] PowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
    private static readonly string[] Formats = ["D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9"];

    public string Generate(int length)
    {
        if (length > MaxSingleDrawLength)
        {
            return string.Create(length, 0, static (span, _) => RandomNumberGenerator.GetItems(Digits, span));
        }

        return string.Create(length, RandomNumberGenerator.GetInt32(PowersOfTen[length]), static (span, value) =>
            value.TryFormat(span, out _, Formats[span.Length], CultureInfo.InvariantCulture));
    }
}
