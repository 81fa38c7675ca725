using Gateway.Middleware.Policies.Validators;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Numbers;

namespace Gateway.Middleware.Tests.Numbers;

public sealed class NumberOptionsValidatorTests
{
    private const string Key = "SmsCodeGate:Policies:p1";

    [Fact]
    public void Validate_NoNumberSettings_Succeeds()
    {
        Assert.Empty(NumberOptionsValidator.Validate(Key, new SmsCodePolicyOptions()));
    }

    [Fact]
    public void Validate_EveryRuleWellFormed_Succeeds()
    {
        var policy = new SmsCodePolicyOptions { CountryCode = "86" };
        policy.Numbers.AllowRegions.Add("CN");
        policy.Numbers.AllowRegions.Add("hk");
        policy.Numbers.DenyPrefixes.Add("+86170");
        policy.Numbers.DenyPrefixes.Add("+8");
        policy.Numbers.DenyPrefixes.Add("+800");
        policy.Numbers.DenyTypes.Add("PremiumRate");
        policy.Numbers.DenyTypes.Add("UNKNOWN");

        Assert.Empty(NumberOptionsValidator.Validate(Key, policy));
    }

    [Theory]
    [InlineData("+86", "(was '+86') (did you mean 86?).")]
    [InlineData("999", "(was '999').")]
    [InlineData("CN", "(was 'CN').")]
    [InlineData("800", "(was '800').")]
    public void Validate_CountryCodeNotACallingCode_FailsNamingTheKey(string code, string end)
    {
        var failure = Assert.Single(NumberOptionsValidator.Validate(Key, new SmsCodePolicyOptions { CountryCode = code }));

        Assert.StartsWith($"{Key}:CountryCode must be a country calling code", failure, StringComparison.Ordinal);
        Assert.EndsWith(end, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UK", " (did you mean GB?).")]
    [InlineData("CHN", " (did you mean CN?).")]
    [InlineData("XX", "(was 'XX').")]
    [InlineData("China", "(was 'China').")]
    public void Validate_RegionNotAnIsoCode_FailsNamingTheKeyAndIndex(string region, string end)
    {
        var policy = new SmsCodePolicyOptions { CountryCode = "86" };
        policy.Numbers.AllowRegions.Add("CN");
        policy.Numbers.AllowRegions.Add(region);

        var failure = Assert.Single(NumberOptionsValidator.Validate(Key, policy));

        Assert.StartsWith($"{Key}:Numbers:AllowRegions:1 must be an ISO 3166 region code", failure, StringComparison.Ordinal);
        Assert.EndsWith(end, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("86170", "must be an E.164 prefix, '+' and up to 15 digits such as +86170 (was '86170') (did you mean +86170?).")]
    [InlineData("+86 170", "must be an E.164 prefix, '+' and up to 15 digits such as +86170 (was '+86 170') (did you mean +86170?).")]
    [InlineData("+", "must be an E.164 prefix, '+' and up to 15 digits such as +86170 (was '+').")]
    [InlineData("+0086", "must start with a country calling code (was '+0086', and none starts it).")]
    [InlineData("+9991", "must start with a country calling code (was '+9991', and none starts it).")]
    public void Validate_PrefixNotE164_FailsNamingTheKeyAndIndex(string prefix, string problem)
    {
        var policy = new SmsCodePolicyOptions { CountryCode = "86" };
        policy.Numbers.DenyPrefixes.Add(prefix);

        Assert.Equal($"{Key}:Numbers:DenyPrefixes:0 {problem}", Assert.Single(NumberOptionsValidator.Validate(Key, policy)));
    }

    [Theory]
    [InlineData("PremiumRte", " (did you mean PremiumRate?).")]
    [InlineData("Expensive", "(was 'Expensive').")]
    public void Validate_TypeUnknown_FailsListingTheTypes(string type, string end)
    {
        var policy = new SmsCodePolicyOptions { CountryCode = "86" };
        policy.Numbers.DenyTypes.Add(type);

        var failure = Assert.Single(NumberOptionsValidator.Validate(Key, policy));

        Assert.StartsWith($"{Key}:Numbers:DenyTypes:0 must be a libphonenumber number type, one of FixedLine, Mobile, FixedLineOrMobile, TollFree, PremiumRate, SharedCost, Voip, PersonalNumber, Pager, Uan, Voicemail, Unknown", failure, StringComparison.Ordinal);
        Assert.EndsWith(end, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RulesWithoutCountryCodeAndANationalPattern_FailsNamingCountryCode()
    {
        var policy = new SmsCodePolicyOptions();
        policy.Numbers.AllowRegions.Add("CN");

        Assert.Equal(
            $"{Key}:CountryCode must be set when Numbers has rules and MobilePattern admits a mobile without '+' such as '13000000000': it says which country such a mobile is of (e.g. 86).",
            Assert.Single(NumberOptionsValidator.Validate(Key, policy)));
    }

    [Fact]
    public void Validate_RulesWithoutCountryCodeAndAnE164OnlyPattern_Succeeds()
    {
        var policy = new SmsCodePolicyOptions { MobilePattern = @"^\+[1-9]\d{6,14}$" };
        policy.Numbers.AllowRegions.Add("CN");

        Assert.Empty(NumberOptionsValidator.Validate(Key, policy));
    }
}
