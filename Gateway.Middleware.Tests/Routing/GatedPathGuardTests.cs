using Gateway.Middleware.Routing;
using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Tests.Routing;

public sealed partial class GatedPathGuardTests
{
    [Theory]
    [InlineData("/sms_codes/13800138000/")]
    [InlineData("/")]
    [InlineData("/verifications/sms/")]
    [InlineData("/a b")]
    public void NeedsCheck_OrdinaryPath_False(string path)
    {
        Assert.False(GatedPathGuard.NeedsCheck(new PathString(path)));
    }

    [Theory]
    [InlineData("//sms_codes/13800138000/")]
    [InlineData("/sms_codes%2F13800138000/")]
    [InlineData("/sms_codes\\13800138000/")]
    [InlineData("/sms_codes/13800138000/\n")]
    [InlineData("/x\u007F")]
    public void NeedsCheck_SuspiciousPath_True(string path)
    {
        Assert.True(GatedPathGuard.NeedsCheck(new PathString(path)));
    }

    [Theory]
    [InlineData("//sms_codes//13800138000//", "/sms_codes/13800138000/")]
    [InlineData("/sms_codes%2F13800138000%2f", "/sms_codes/13800138000/")]
    [InlineData("/sms_codes\\13800138000\\", "/sms_codes/13800138000/")]
    [InlineData("/sms_codes%5C13800138000%5c", "/sms_codes/13800138000/")]
    [InlineData("/a%252Fb", "/a%2Fb")]
    public void Fold_DecodesOnceAndMergesSlashes(string path, string expected)
    {
        Assert.Equal(expected, GatedPathGuard.Fold(path));
    }
}
