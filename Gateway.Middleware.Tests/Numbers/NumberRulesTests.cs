using Gateway.Middleware.Policies;
using Gateway.Middleware.Numbers;

namespace Gateway.Middleware.Tests.Numbers;

public sealed class NumberRulesTests
{
    [Theory]
    [InlineData("+8613800138000", nameof(NumberRefusal.None))]
    [InlineData("+85291234567", nameof(NumberRefusal.None))]
    [InlineData("+14165550123", nameof(NumberRefusal.Region))]
    public void Check_AllowRegions_OthersRefusedByRegion(string e164, string expected)
    {
        var rules = Rules(options => { options.AllowRegions.Add("CN"); options.AllowRegions.Add("hk"); });

        Assert.Equal(expected, rules.Check(Read(e164)).ToString());
    }

    [Theory]
    [InlineData("+8617012345678", nameof(NumberRefusal.Prefix))]
    [InlineData("+8617112345678", nameof(NumberRefusal.Prefix))]
    [InlineData("+8617212345678", nameof(NumberRefusal.None))]
    [InlineData("+8613800138000", nameof(NumberRefusal.None))]
    public void Check_DenyPrefixes_RefusesTheirNumbers(string e164, string expected)
    {
        var rules = Rules(options => { options.DenyPrefixes.Add("+86170"); options.DenyPrefixes.Add("+86171"); });

        Assert.Equal(expected, rules.Check(Read(e164)).ToString());
    }

    [Theory]
    [InlineData("+19005550123", nameof(NumberRefusal.Type))]
    [InlineData("+80012345678", nameof(NumberRefusal.Type))]
    [InlineData("+86138", nameof(NumberRefusal.Type))] // Unknown: valid in no plan
    [InlineData("+12025550123", nameof(NumberRefusal.None))]
    public void Check_DenyTypes_RefusesTheirNumbers(string e164, string expected)
    {
        var rules = Rules(options => { options.DenyTypes.Add("PremiumRate"); options.DenyTypes.Add("TOLL_FREE"); options.DenyTypes.Add("unknown"); });

        Assert.Equal(expected, rules.Check(Read(e164)).ToString());
    }

    [Theory]
    [InlineData("+8617012345678", nameof(NumberRefusal.Prefix))] // a prefix longer than +86 is narrower than CN
    [InlineData("+8613800138000", nameof(NumberRefusal.None))]
    [InlineData("+19005550123", nameof(NumberRefusal.Type))] // a type is narrower than a region
    public void Check_AllowedRegionAgainstANarrowerDeny_TheDenyWins(string e164, string expected)
    {
        var rules = Rules(options =>
        {
            options.AllowRegions.Add("CN");
            options.AllowRegions.Add("US");
            options.DenyPrefixes.Add("+86170");
            options.DenyTypes.Add("PremiumRate");
        });

        Assert.Equal(expected, rules.Check(Read(e164)).ToString());
    }

    [Theory]
    [InlineData("+14165550123", nameof(NumberRefusal.None))] // CA is narrower than +1, which covers some twenty regions
    [InlineData("+12025550123", nameof(NumberRefusal.Region))]
    [InlineData("+8613800138000", nameof(NumberRefusal.Region))]
    public void Check_AllowedRegionAgainstAPrefixOfItsWholeCallingCode_TheRegionWins(string e164, string expected)
    {
        var rules = Rules(options => { options.AllowRegions.Add("CA"); options.DenyPrefixes.Add("+1"); });

        Assert.Equal(expected, rules.Check(Read(e164)).ToString());
    }

    [Theory]
    [InlineData("+12025550123", nameof(NumberRefusal.Prefix))]
    [InlineData("+8613800138000", nameof(NumberRefusal.Prefix))] // +8 starts +86: shorter than the calling code, no allow list
    [InlineData("+447911123456", nameof(NumberRefusal.None))]
    public void Check_BroadPrefixWithoutAllowList_Refuses(string e164, string expected)
    {
        var rules = Rules(options => { options.DenyPrefixes.Add("+1"); options.DenyPrefixes.Add("+8"); });

        Assert.Equal(expected, rules.Check(Read(e164)).ToString());
    }

    [Fact]
    public void Check_ReadTwiceWithoutDenyTypes_AllocatesNothing()
    {
        var rules = Rules(options => { options.AllowRegions.Add("CN"); options.DenyPrefixes.Add("+86170"); });
        var number = Read("+8613800138000");
        rules.Check(number);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            rules.Check(number);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static NumberRules Rules(Action<SmsCodeNumbersOptions> edit)
    {
        var options = new SmsCodeNumbersOptions();
        edit(options);
        return new NumberRules(options);
    }

    private static PhoneNumberReading Read(string e164)
    {
        Assert.True(PhoneNumberReader.TryRead(defaultRegion: null, e164, out var number));
        return number;
    }
}
