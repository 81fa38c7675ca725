using System.Text;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Requests;
using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Tests.Requests;

public sealed class SmsCodeAnswersTests
{
    [Theory]
    [InlineData(SmsCodeAnswerKind.Sent, 200, "{\"message\":\"ok\"}")]
    [InlineData(SmsCodeAnswerKind.Refused, 400, "{\"message\":\"手机频繁发送短信\"}")]
    [InlineData(SmsCodeAnswerKind.InvalidMobile, 404, "{\"message\":\"Not found: the mobile number is not valid.\"}")]
    [InlineData(SmsCodeAnswerKind.WrongCode, 400, "{\"message\":\"The code is wrong or has expired.\"}")]
    [InlineData(SmsCodeAnswerKind.StoreUnavailable, 503, "{\"message\":\"The SMS code service is temporarily unavailable. Please try again shortly.\"}")]
    [InlineData(SmsCodeAnswerKind.ProviderFailed, 502, "{\"message\":\"The SMS provider failed; no code was sent. Please try again.\"}")]
    [InlineData(SmsCodeAnswerKind.ProviderTimeout, 504, "{\"message\":\"The SMS provider did not answer in time; the code may still arrive. Please wait before asking again.\"}")]
    [InlineData(SmsCodeAnswerKind.TooManyRequests, 429, "{\"message\":\"Too many requests from this client. Please try again later.\"}")]
    [InlineData(SmsCodeAnswerKind.SpendGuard, 503, "{\"message\":\"SMS sending is paused for a moment. Please try again shortly.\"}")]
    [InlineData(SmsCodeAnswerKind.Verified, 200, "{\"message\":\"ok\"}")]
    [InlineData(SmsCodeAnswerKind.AttemptsSpent, 429, "{\"message\":\"Too many attempts: ask for a new code.\"}")]
    [InlineData(SmsCodeAnswerKind.FailuresPerDaySpent, 429, "{\"message\":\"Too many failed attempts for this mobile today. Please try again later.\"}")]
    public async Task Default_EachKind_IsItsStatusAndMessage(SmsCodeAnswerKind kind, int status, string body)
    {
        var (response, written) = await WriteAsync(SmsCodeAnswers.Default[kind]);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal(Encoding.UTF8.GetBytes(body), written);
        Assert.Equal(written.Length, response.ContentLength);
    }

    [Fact]
    public void Constructor_NoOptions_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new SmsCodeAnswers(null!));
    }

    [Fact]
    public async Task Template_PlaceholdersFilledAndTheMessageJsonEscaped()
    {
        var answers = new SmsCodeAnswers(new Dictionary<string, SmsCodeAnswerOptions>
        {
            ["refused"] = new() { Status = 200, Body = "{{\"code\":4001,\"errmsg\":\"{message}\",\"retry\":{retryAfter}}}" },
            ["StoreUnavailable"] = new() { Body = "busy: {message}", ContentType = "text/plain; charset=utf-8" },
        });

        var (refused, refusedBody) = await WriteAsync(answers[SmsCodeAnswerKind.Refused], 42);
        var (busy, busyBody) = await WriteAsync(answers[SmsCodeAnswerKind.StoreUnavailable]);

        Assert.Equal(200, refused.StatusCode);
        Assert.Equal("{\"code\":4001,\"errmsg\":\"手机频繁发送短信\",\"retry\":42}", Encoding.UTF8.GetString(refusedBody));
        Assert.Equal(503, busy.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", busy.ContentType);
        Assert.StartsWith("busy: The SMS code service", Encoding.UTF8.GetString(busyBody), StringComparison.Ordinal);
        Assert.Equal(SmsCodeAnswers.Default[SmsCodeAnswerKind.Sent].Status, answers[SmsCodeAnswerKind.Sent].Status);
    }

    [Theory]
    [InlineData("{retry}", false)]
    [InlineData("{{\"a\":1}}", true)]
    [InlineData("{\"a\":1}", false)]
    [InlineData("}", false)]
    [InlineData("wait {retryAfter} s: {message}", true)]
    public void TextTemplate_OnlyKnownPlaceholders(string template, bool valid)
    {
        Assert.Equal(valid, TextTemplate.TryParse(template, SmsCodeAnswer.Placeholders, out _) is not null);
    }

    private static async Task<(HttpResponse Response, byte[] Body)> WriteAsync(SmsCodeAnswer answer, long retryAfter = 0)
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        await answer.WriteAsync(context.Response, retryAfter);
        return (context.Response, body.ToArray());
    }
}
