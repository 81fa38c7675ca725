using Gateway.Middleware.Policies;
using Gateway.Middleware.Numbers;
using PhoneNumbers;

namespace Gateway.Middleware.Tests.Numbers;

public sealed class PhoneNumberReaderTests
{
    [Theory]
    [InlineData("13800138000", "+8613800138000", "CN", PhoneNumberType.MOBILE)]
    [InlineData("+8613800138000", "+8613800138000", "CN", PhoneNumberType.MOBILE)]
    [InlineData("+85291234567", "+85291234567", "HK", PhoneNumberType.MOBILE)]
    [InlineData("+14165550123", "+14165550123", "CA", PhoneNumberType.FIXED_LINE_OR_MOBILE)]
    [InlineData("+19005550123", "+19005550123", "US", PhoneNumberType.PREMIUM_RATE)]
    [InlineData("+80012345678", "+80012345678", "001", PhoneNumberType.TOLL_FREE)]
    [InlineData("138", "+86138", "CN", PhoneNumberType.UNKNOWN)]
    public void TryRead_PolicyOfCountryCode86_GivesE164RegionAndType(string mobile, string e164, string region, PhoneNumberType type)
    {
        var policy = Policy(countryCode: "86");

        Assert.True(policy.TryReadNumber(mobile, out var number));

        Assert.Equal(e164, number.E164);
        Assert.Equal(region, number.Region);
        Assert.Equal(type, number.Type);
    }

    [Fact]
    public void TryRead_NationalMobileOfCountryCode1_IsReadInItsOwnRegion()
    {
        Assert.True(Policy(countryCode: "1").TryReadNumber("4165550123", out var number));

        Assert.Equal("+14165550123", number.E164);
        Assert.Equal("CA", number.Region);
        Assert.Equal(1, number.CountryCode);
    }

    [Theory]
    [InlineData("+999123456")] // no such calling code
    [InlineData("+0123")]
    [InlineData("1")]
    [InlineData("+861")] // too short
    public void TryRead_WhatLibphonenumberCannotParse_False(string mobile)
    {
        Assert.False(Policy(countryCode: "86").TryReadNumber(mobile, out _));
    }

    [Fact]
    public void TryRead_NationalMobileWithoutCountryCode_FalseButE164IsRead()
    {
        var policy = Policy(countryCode: string.Empty);

        Assert.False(policy.TryReadNumber("13800138000", out _));
        Assert.True(policy.TryReadNumber("+8613800138000", out var number));
        Assert.Equal("CN", number.Region);
    }

    [Theory]
    [InlineData("86", "CN")]
    [InlineData("1", "US")]
    [InlineData("44", "GB")]
    [InlineData("852", "HK")]
    [InlineData("+86", null)]
    [InlineData("086", null)]
    [InlineData("999", null)]
    [InlineData("800", null)] // non-geographic: no national numbers to read
    [InlineData("CN", null)]
    [InlineData("", null)]
    public void RegionOfCountryCode_CallingCode_ItsMainRegionOrNull(string code, string? region)
    {
        Assert.Equal(region, PhoneNumberReader.RegionOfCountryCode(code));
    }

    private static SmsCodePolicy Policy(string countryCode) =>
        new("p", new SmsCodePolicyOptions { CountryCode = countryCode, MobilePattern = @"^\+?\d{1,20}$" });
}
