using Gateway.Middleware.Policies;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Send;
using Gateway.Middleware.Store;

namespace Gateway.Middleware.Tests.Send;

public sealed class SendRefusalTests
{
    [Theory]
    [InlineData(1, SmsCodeGateResults.RefusedInterval, SmsCodeAnswerKind.Refused)]
    [InlineData(2, SmsCodeGateResults.RefusedHour, SmsCodeAnswerKind.Refused)]
    [InlineData(3, SmsCodeGateResults.RefusedDay, SmsCodeAnswerKind.Refused)]
    [InlineData(4, SmsCodeGateResults.RefusedIp, SmsCodeAnswerKind.Refused)]
    [InlineData(5, SmsCodeGateResults.SpendGuard, SmsCodeAnswerKind.SpendGuard)]
    [InlineData(7, SmsCodeGateResults.BlockRefused, SmsCodeAnswerKind.BlockRefused)]
    [InlineData(8, SmsCodeGateResults.BlockCapRefused, SmsCodeAnswerKind.BlockRefused)]
    public void Of_EachStoreRefusal_IsItsOwnSnakeCaseResultAndItsAnswer(int reason, string expected, SmsCodeAnswerKind answer)
    {
        var refusal = SendRefusal.Of(new SmsCodeIssueResult((SmsCodeRefusal)reason, 42_000));

        Assert.Equal(expected, refusal.Result);
        Assert.Equal(answer, refusal.Answer);
        Assert.Equal(42, refusal.RetryAfterSeconds);
    }
}
