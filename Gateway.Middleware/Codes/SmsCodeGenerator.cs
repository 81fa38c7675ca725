using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Gateway.Middleware.Codes;

/// <summary>
/// Codes from the operating system's cryptographically secure generator, uniform over all codes of the length:
/// one unbiased draw below 10^length (a 32-bit draw from the biased tail is thrown away and drawn again), written
/// zero-padded. The secure bytes are fetched 256 at a time per thread, each draw's bytes wiped once read: one
/// generator call costs about as much as a whole gated request's other work, and this is the gate's hot path.
/// </summary>
internal sealed class SmsCodeGenerator : ISmsCodeGenerator
{
    private const int MaxSingleDrawLength = 9;
    private const int DrawsPerFill = 64;
    private const string Digits = "0123456789";
    private static readonly uint[] PowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
    private static readonly string[] Formats = ["D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9"];

    [ThreadStatic]
    private static uint[]? t_draws;

    [ThreadStatic]
    private static int t_next;

    public string Generate(int length)
    {
        if (length > MaxSingleDrawLength)
        {
            return string.Create(length, 0, static (span, _) => RandomNumberGenerator.GetItems(Digits, span));
        }

        return string.Create(length, DrawBelow(PowersOfTen[length]), static (span, value) =>
            value.TryFormat(span, out _, Formats[span.Length], CultureInfo.InvariantCulture));
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>): draws at or above the largest multiple of the bound are rejected.</summary>
    private static uint DrawBelow(uint bound)
    {
        var unbiased = uint.MaxValue - (uint.MaxValue % bound + 1) % bound;
        while (true)
        {
            var draw = NextDraw();
            if (draw <= unbiased)
            {
                return draw % bound;
            }
        }
    }

    private static uint NextDraw()
    {
        var draws = t_draws ??= new uint[DrawsPerFill];
        if (t_next == 0)
        {
            RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(draws.AsSpan()));
        }

        var index = t_next;
        var draw = draws[index];
        draws[index] = 0;
        t_next = (index + 1) % DrawsPerFill;
        return draw;
    }
}
