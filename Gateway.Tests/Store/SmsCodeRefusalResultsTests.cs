using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;

namespace Gateway.Tests.Store;

public sealed class SmsCodeRefusalResultsTests
{
    [Theory]
    [InlineData(1, SmsCodeGateResults.RefusedInterval)]
    [InlineData(2, SmsCodeGateResults.RefusedHour)]
    [InlineData(3, SmsCodeGateResults.RefusedDay)]
    [InlineData(4, SmsCodeGateResults.RefusedIp)]
    [InlineData(5, SmsCodeGateResults.SpendGuard)]
    public void ToGateResult_EachRefusal_IsItsOwnSnakeCaseResult(int reason, string expected)
    {
        Assert.Equal(expected, ((SmsCodeRefusal)reason).ToGateResult());
    }
}
