using Gateway.Middleware.Policies;
using Gateway.Middleware.Policies.Keys;

namespace Gateway.Middleware.Tests.Policies.Keys;

public sealed class MobilePatternCheckTests
{
    [Theory]
    [InlineData(SmsCodePolicyOptions.DefaultMobilePattern)]
    [InlineData(@"\+?861[3-9]\d{9}")]
    [InlineData(@"^\+?[1-9]\d{6,14}$")]
    [InlineData(@"(?:\+?86)?1[3-9]\d{9}")]
    [InlineData(@"[0-9]+")]
    [InlineData(@"\d*")]
    [InlineData(@"\b\d{11}\b")]
    [InlineData(@"(?=1)\d{11}")]
    [InlineData(@"(?<country>\+\d{1,3})?\d{4,14}")]
    [InlineData(@"1[3-9]\d{9}|\+1\d{10}")]
    [InlineData(@"[\d-[0]]\d{0,100}")]
    public void Check_PatternOfMobilesOnly_Accepts(string pattern)
    {
        Assert.Null(MobilePatternCheck.Check(pattern));
    }

    [Theory]
    [InlineData(".*", "a")]
    [InlineData(@"\w+", "a")]
    [InlineData("[^/]+", "a")]
    [InlineData("1.*", "1a")]
    [InlineData(@"\S{11}", null)]
    [InlineData(@"\+", "+")]
    [InlineData(@"\+?\d+\+\d", null)]
    [InlineData(@"1[3-9]\d{9}|state_\d+", null)]
    [InlineData(@"\p{L}\d", null)]
    [InlineData(@"[\d-]+", null)]
    [InlineData(@"1[3-9]\d{9}(?:x\d+)?", null)]
    [InlineData(@"(?!a)[a-z0-9]+", null)]
    [InlineData(@"\x41", "A")]
    [InlineData(@"[]a]", null)]
    public void Check_PatternThatCanMatchANonMobile_RefusesNamingAWitness(string pattern, string? witness)
    {
        var problem = MobilePatternCheck.Check(pattern);

        Assert.NotNull(problem);
        Assert.StartsWith("can match '", problem, StringComparison.Ordinal);
        if (witness is not null)
        {
            Assert.StartsWith($"can match '{witness}',", problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(@"(\d)\1+", "backreference")]
    [InlineData(@"(?<d>\d)\k<d>", "backreference")]
    [InlineData(@"(?i)\d+", "inline options")]
    [InlineData(@"(?(1)\d|\d)", "conditional")]
    [InlineData(@"(((\d{30}){30}){30})", "too complex")]
    public void Check_PatternItCannotRead_RefusesSayingWhy(string pattern, string reason)
    {
        var problem = MobilePatternCheck.Check(pattern);

        Assert.NotNull(problem);
        Assert.StartsWith("cannot be checked", problem, StringComparison.Ordinal);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }
}
