using System.Net;
using System.Net.Http.Json;
using Gateway.Middleware.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Gate;

/// <summary>The verify endpoint's and the verify route's outcomes, counted once each through the host.</summary>
public sealed partial class GateOutcomeTests
{
    [Fact]
    public async Task Requests_VerifyEndpointOutcomes_EachCountedOnce()
    {
        var host = StartGateway(config =>
        {
            config.Policy["MaxVerifyAttempts"] = 2;
            config.Policy["MaxVerifyFailuresPerDay"] = 3;
        });
        using var requests = Requests(host);
        var client = host.CreateClient();

        var verified = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, verified.Mobile, Other(verified.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(client, verified.Mobile, verified.Code)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, TestMobiles.Next(), "123456")).StatusCode);

        var overLimit = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, overLimit.Mobile, Other(overLimit.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, overLimit.Mobile, Other(overLimit.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await VerifyAsync(client, overLimit.Mobile, overLimit.Code)).StatusCode);

        var perDay = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, perDay.Mobile, Other(perDay.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, perDay.Mobile, Other(perDay.Code))).StatusCode);
        await Redis.Database(2).KeyDeleteAsync($"send_flag_{perDay.Mobile}");
        var resent = await SendCodeAsync(client, perDay.Mobile);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, perDay.Mobile, Other(resent.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await VerifyAsync(client, perDay.Mobile, resent.Code)).StatusCode);

        Assert.Equal(
            [
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyWrong, SmsCodeGateResults.Verified, SmsCodeGateResults.VerifyNoCode,
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyWrong, SmsCodeGateResults.VerifyWrong, SmsCodeGateResults.VerifyOverLimit,
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyWrong, SmsCodeGateResults.VerifyWrong,
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyWrong, SmsCodeGateResults.VerifyFailuresPerDay,
            ],
            await ResultsAsync(requests, 14));
    }

    [Fact]
    public async Task Requests_VerifyRouteOutcomes_EachCountedOnce()
    {
        var host = StartGateway(config => config.Policy["MaxVerifyAttempts"] = 1);
        using var requests = Requests(host);
        var client = host.CreateClient();

        var refused = await SendCodeAsync(client);
        Provider.OtherStatusCode = 400;
        Assert.Equal(HttpStatusCode.BadRequest, (await LegacyVerifyAsync(client, refused.Mobile, Other(refused.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LegacyVerifyAsync(client, refused.Mobile, refused.Code)).StatusCode);
        var accepted = await SendCodeAsync(client);
        Provider.OtherStatusCode = 200;
        var app = Provider.OtherAnswerWhen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = LegacyVerifyAsync(client, accepted.Mobile, accepted.Code);
        await Provider.OtherReceived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LegacyVerifyAsync(client, accepted.Mobile, accepted.Code)).StatusCode);
        app.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await LegacyVerifyAsync(client, TestMobiles.Next(), "123456")).StatusCode);

        // The app's own answers are counted once it has given them, so they may land after the next request's.
        Assert.Equal(
            new[]
            {
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyAppRefused, SmsCodeGateResults.VerifyOverLimit,
                SmsCodeGateResults.Issued, SmsCodeGateResults.VerifyInFlight, SmsCodeGateResults.VerifyAppAccepted, SmsCodeGateResults.VerifyNoCode,
            }.Order(StringComparer.Ordinal),
            (await ResultsAsync(requests, 7)).Order(StringComparer.Ordinal));
        Assert.Equal(2, Provider.OtherRequests.Count);
    }

    private async Task<(string Mobile, string Code)> SendCodeAsync(HttpClient client, string? mobile = null)
    {
        mobile ??= TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        return (mobile, Provider.RequestsFor(mobile)[^1].Code!);
    }

    private static Task<HttpResponseMessage> VerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsJsonAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative), new { code }).WaitAsync(TimeSpan.FromSeconds(30));

    private static Task<HttpResponseMessage> LegacyVerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new FormUrlEncodedContent([new("mobile", mobile), new("sms_code", code)])).WaitAsync(TimeSpan.FromSeconds(30));

    private static string Other(string code) => code == "000000" ? "111111" : "000000";
}
