using Gateway.Middleware.Policies;

namespace Gateway.Middleware.Tests.Policies;

/// <summary>
/// The request-time rule: whatever the pattern (here one that start-up would refuse, built around the validator),
/// only ASCII digits with an optional leading '+' are a mobile, so no mobile can reach another's keys.
/// </summary>
public sealed class SmsCodePolicyTests
{
    private static readonly SmsCodePolicy AnythingPattern = new("lax", new SmsCodePolicyOptions { MobilePattern = ".*" });

    [Theory]
    [InlineData("state_13800138000")]
    [InlineData("1</to><to>19995550000")]
    [InlineData("+")]
    [InlineData("++8613800138000")]
    [InlineData("86+13800138000")]
    [InlineData("13800138000 ")]
    [InlineData("１３８００１３８０００")] // full-width digits
    [InlineData("١٣٨٠٠١٣٨٠٠٠")] // Arabic-Indic digits
    [InlineData("13800138000\n")]
    public void IsValidMobile_NotDigitsWithAnOptionalPlus_FalseWhateverThePattern(string mobile)
    {
        Assert.False(AnythingPattern.IsValidMobile(mobile));
    }

    [Theory]
    [InlineData("13800138000")]
    [InlineData("+8613800138000")]
    [InlineData("0")]
    public void IsValidMobile_DigitsWithAnOptionalPlus_TrueWhenThePatternMatches(string mobile)
    {
        Assert.True(AnythingPattern.IsValidMobile(mobile));
    }

    [Fact]
    public void IsValidMobile_ArabicIndicDigitsAndTheDefaultPattern_False()
    {
        var policy = new SmsCodePolicy("default", new SmsCodePolicyOptions());

        Assert.True(policy.IsValidMobile("13800138000"));
        Assert.False(policy.IsValidMobile("1٣٨٠٠١٣٨٠٠٠"));
    }
}
