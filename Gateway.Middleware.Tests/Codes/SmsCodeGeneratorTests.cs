using Gateway.Middleware.Codes;

namespace Gateway.Middleware.Tests.Codes;

public sealed class SmsCodeGeneratorTests
{
    private readonly SmsCodeGenerator _generator = new();

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void Generate_Length_GivesThatManyAsciiDigits(int length)
    {
        for (var i = 0; i < 100; i++)
        {
            var code = _generator.Generate(length);

            Assert.Equal(length, code.Length);
            Assert.All(code, c => Assert.True(char.IsAsciiDigit(c), $"'{c}' is not an ASCII digit"));
        }
    }

    [Fact]
    public void Generate_ManyDraws_SomeHaveLeadingZero()
    {
        // A draw starts with '0' with probability 1/10: all 2000 missing it has probability 0.9^2000.
        var codes = Enumerable.Range(0, 2000).Select(_ => _generator.Generate(6));

        Assert.Contains(codes, code => code[0] == '0');
    }

    [Fact]
    public void Generate_TenBatchesOnOneThread_NoneReusesAnEmptiedDraw()
    {
        // Draws are made 64 at a time per thread and each is zeroed once used: a batch used again without a refill gives
        // "000000" (a legitimate draw of it has probability 10^-6 per code).
        var codes = Enumerable.Range(0, 640).Select(_ => _generator.Generate(6)).ToList();

        Assert.True(codes.Count(code => code == "000000") <= 1, string.Join(',', codes.Where(code => code == "000000")));
    }

    [Fact]
    public void Generate_ManyDraws_AreMostlyDistinct()
    {
        // 100 draws from 10^6 codes: the expected number of collisions is about 0.005.
        var codes = Enumerable.Range(0, 100).Select(_ => _generator.Generate(6)).ToList();

        Assert.True(codes.Distinct(StringComparer.Ordinal).Count() >= 95, string.Join(',', codes));
    }

    [Fact]
    public void Generate_ManyDraws_EachDigitNearTenPercentAtEachPosition()
    {
        // Per digit and position: expected 2000 of 20000, standard deviation about 42; the bounds are 14 deviations out.
        const int Draws = 20_000;
        const int Length = 6;
        var counts = new int[Length, 10];
        for (var i = 0; i < Draws; i++)
        {
            var code = _generator.Generate(Length);
            for (var position = 0; position < Length; position++)
            {
                counts[position, code[position] - '0']++;
            }
        }

        for (var position = 0; position < Length; position++)
        {
            for (var digit = 0; digit < 10; digit++)
            {
                var count = counts[position, digit];
                Assert.True(
                    count is >= Draws * 7 / 100 and <= Draws * 13 / 100,
                    $"digit {digit} at position {position} came {count} times of {Draws}");
            }
        }
    }
}
