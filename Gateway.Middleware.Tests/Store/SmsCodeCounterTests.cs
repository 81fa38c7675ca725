using System.Globalization;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;

namespace Gateway.Middleware.Tests.Store;

public sealed class SmsCodeCounterTests
{
    // The refusal as its number: the enum is internal, and a test method's parameters are public.
    public static TheoryData<string, long, int> Caps => new()
    {
        { nameof(SmsCodeCounter.MobilePerHour), 3_600_000, (int)SmsCodeRefusal.Hour },
        { nameof(SmsCodeCounter.MobilePerDay), 86_400_000, (int)SmsCodeRefusal.Day },
        { nameof(SmsCodeCounter.IpPerHour), 3_600_000, (int)SmsCodeRefusal.Ip },
        { nameof(SmsCodeCounter.SendsPerMinute), 60_000, (int)SmsCodeRefusal.Spend },
        { nameof(SmsCodeCounter.VerifyFailuresPerDay), 86_400_000, (int)SmsCodeRefusal.None },
    };

    [Theory]
    [MemberData(nameof(Caps))]
    public void Factory_EachCap_CarriesItsWindowAndRefusal(string cap, long windowMilliseconds, int refusal)
    {
        var counter = Create(cap, "key", 5);

        Assert.Equal(("key", 5, windowMilliseconds, refusal), (counter.Key, counter.Limit, counter.WindowMilliseconds, (int)counter.Refusal));
        Assert.True(counter.IsOn);
    }

    [Fact]
    public void Off_AndALimitOfZero_AreOff()
    {
        Assert.False(SmsCodeCounter.Off.IsOn);
        Assert.False(SmsCodeCounter.MobilePerHour("key", 0).IsOn);
    }

    [Fact]
    public void IssueScript_Windows_AreTheCountersInTheirSlotOrder()
    {
        // The script is passed only the caps: its own table of windows must stay the counters' (KEYS order).
        long[] windows =
        [
            SmsCodeCounter.MobilePerHour("k", 1).WindowMilliseconds,
            SmsCodeCounter.MobilePerDay("k", 1).WindowMilliseconds,
            SmsCodeCounter.IpPerHour("k", 1).WindowMilliseconds,
            SmsCodeCounter.SendsPerMinute("k", 1).WindowMilliseconds,
        ];

        Assert.Contains(
            "local windows = {" + string.Join(", ", windows.Select(w => w.ToString(CultureInfo.InvariantCulture))) + "}",
            RedisScripts.Embedded.Issue.Source,
            StringComparison.Ordinal);
    }

    private static SmsCodeCounter Create(string cap, string key, int limit) => cap switch
    {
        nameof(SmsCodeCounter.MobilePerHour) => SmsCodeCounter.MobilePerHour(key, limit),
        nameof(SmsCodeCounter.MobilePerDay) => SmsCodeCounter.MobilePerDay(key, limit),
        nameof(SmsCodeCounter.IpPerHour) => SmsCodeCounter.IpPerHour(key, limit),
        nameof(SmsCodeCounter.SendsPerMinute) => SmsCodeCounter.SendsPerMinute(key, limit),
        _ => SmsCodeCounter.VerifyFailuresPerDay(key, limit),
    };
}
