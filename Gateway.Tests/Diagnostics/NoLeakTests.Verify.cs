using System.Net;
using System.Net.Http.Json;

namespace Gateway.Tests.Diagnostics;

/// <summary>
/// Verifying (the endpoint and the legacy route: wrong, right, over the limit) leaks neither the code nor the guesses.
/// </summary>
public sealed partial class NoLeakTests
{
    [Fact]
    public async Task VerifyEndpoint_WrongRightAndOverTheLimit_LeakNothing()
    {
        var (host, client) = Start(verify: true, edit: config => config.Policy["MaxVerifyAttempts"] = 2);
        var (mobile, code) = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, mobile, Guess(code))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(client, mobile, code)).StatusCode);

        var (spentMobile, spentCode) = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, spentMobile, Guess(spentCode))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, spentMobile, Guess(spentCode))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await VerifyAsync(client, spentMobile, spentCode)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, Mobile(), Guess(code))).StatusCode);

        AssertNoLeak(host, "VerifyAttemptsSpent");
    }

    [Fact]
    public async Task LegacyVerifyRoute_RefusedAcceptedAndOverTheLimit_LeakNothing()
    {
        var (host, client) = Start(verify: true, edit: config => config.Policy["MaxVerifyAttempts"] = 2);
        var (mobile, code) = await SendCodeAsync(client);
        Provider.OtherStatusCode = 400;
        Assert.Equal(HttpStatusCode.BadRequest, (await LegacyVerifyAsync(client, mobile, Guess(code))).StatusCode);
        Provider.OtherStatusCode = 200;
        Assert.Equal(HttpStatusCode.OK, (await LegacyVerifyAsync(client, mobile, code)).StatusCode);

        Provider.OtherStatusCode = 400;
        var (spentMobile, spentCode) = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.BadRequest, (await LegacyVerifyAsync(client, spentMobile, Guess(spentCode))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await LegacyVerifyAsync(client, spentMobile, Guess(spentCode))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LegacyVerifyAsync(client, spentMobile, spentCode)).StatusCode);

        AssertNoLeak(host, "VerifyAttemptsSpent");
    }

    /// <summary>A wrong guess at <paramref name="code"/>: each digit moved by one, so it differs everywhere.</summary>
    private string Guess(string code)
    {
        var guess = string.Concat(code.Select(digit => (char)('0' + ((digit - '0' + 1) % 10))));
        _guesses.Enqueue(guess);
        return guess;
    }

    private async Task<(string Mobile, string Code)> SendCodeAsync(HttpClient client)
    {
        var mobile = Mobile();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        return (mobile, Provider.RequestsFor(mobile)[^1].Code!);
    }

    private static Task<HttpResponseMessage> VerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsJsonAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative), new { code }).WaitAsync(TimeSpan.FromSeconds(30));

    private static Task<HttpResponseMessage> LegacyVerifyAsync(HttpClient client, string mobile, string code) =>
        client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new FormUrlEncodedContent([new("mobile", mobile), new("sms_code", code)])).WaitAsync(TimeSpan.FromSeconds(30));
}
