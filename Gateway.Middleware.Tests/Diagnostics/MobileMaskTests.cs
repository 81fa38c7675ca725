using Gateway.Middleware.Diagnostics;

namespace Gateway.Middleware.Tests.Diagnostics;

public sealed class MobileMaskTests
{
    [Theory]
    [InlineData("13800138000", "138****8000")]
    [InlineData("8613800138000", "861******8000")]
    public void Mask_Mobile_KeepsFirstThreeAndLastFour(string mobile, string expected)
    {
        Assert.Equal(expected, MobileMask.Mask(mobile));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1380013")]
    public void Mask_NullEmptyOrShort_GivesStars(string? mobile)
    {
        Assert.Equal("****", MobileMask.Mask(mobile));
    }

    [Theory]
    [InlineData("12345678", "12****78")]
    [InlineData("1380013800", "13******00")]
    public void Mask_ShorterThanAMobile_HidesMostOfIt(string value, string expected)
    {
        Assert.Equal(expected, MobileMask.Mask(value));
    }
}
