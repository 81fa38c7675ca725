using System.Net;
using System.Net.Http.Json;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Gate;

/// <summary>
/// The verify half through the real host and a real store: the gate's own endpoint, and a legacy app's verify route
/// (the recording provider's other paths stand in for the app: 200 accepts, 400 refuses). Runs on both stores.
/// </summary>
public abstract class SmsCodeVerifyContractTests(ContractStore store) : VerifyContractTests(store)
{
    private static readonly byte[] WrongCodeBody = Encoding.UTF8.GetBytes("{\"message\":\"The code is wrong or has expired.\"}");

    [Fact]
    public async Task VerifyEndpoint_RightCode_200ThenTheCodeIsUsedUp()
    {
        var (host, client) = Start();
        var (mobile, code) = await SendCodeAsync(client);

        var verified = await VerifyAsync(client, mobile, code);
        var again = await VerifyAsync(client, mobile, code);

        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Equal(GatewayClient.LegacyOkBody, await verified.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.False(await Store.HasCodeAsync(host, mobile));
    }

    [Fact]
    public async Task VerifyEndpoint_FormField_IsReadToo()
    {
        var (_, client) = Start();
        var (mobile, code) = await SendCodeAsync(client);

        var response = await client.PostAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative),
            new FormUrlEncodedContent([new("code", code)])).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task VerifyEndpoint_WrongCodeAndNoCode_OneAnswerForBoth()
    {
        var (_, client) = Start();
        var (mobile, code) = await SendCodeAsync(client);

        var wrong = await VerifyAsync(client, mobile, Other(code));
        var none = await VerifyAsync(client, TestMobiles.Next(), code);

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Equal(WrongCodeBody, await wrong.Content.ReadAsByteArrayAsync());
        Assert.Equal(WrongCodeBody, await none.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/json", wrong.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task VerifyEndpoint_AttemptsSpent_429WithRetryAfterAndTheRightCodeNoLongerWorks()
    {
        var (host, client) = Start(config => config.Policy["MaxVerifyAttempts"] = 3);
        var (mobile, code) = await SendCodeAsync(client);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, mobile, Other(code))).StatusCode);
        }

        var spent = await VerifyAsync(client, mobile, code);

        Assert.Equal(HttpStatusCode.TooManyRequests, spent.StatusCode);
        Assert.True(spent.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("Too many attempts", await GatewayClient.MessageOfAsync(spent), StringComparison.Ordinal);
        Assert.False(await Store.HasCodeAsync(host, mobile));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await VerifyAsync(client, mobile, code)).StatusCode);

        // A new code starts a fresh count.
        await Store.PassSendIntervalAsync(host, mobile);
        var (_, next) = await SendCodeAsync(client, mobile);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(client, mobile, next)).StatusCode);
    }

    [Fact]
    public async Task VerifyEndpoint_ResendStartsAFreshCountButTheDailyFailuresHold()
    {
        var (host, client) = Start(config =>
        {
            config.Policy["MaxVerifyAttempts"] = 2;
            config.Policy["MaxVerifyFailuresPerDay"] = 3;
        });
        var (mobile, first) = await SendCodeAsync(client);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, mobile, Other(first))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, mobile, Other(first))).StatusCode);

        await Store.PassSendIntervalAsync(host, mobile);
        var (_, second) = await SendCodeAsync(client, mobile);
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, mobile, Other(second))).StatusCode);
        var spent = await VerifyAsync(client, mobile, second);

        Assert.Equal(HttpStatusCode.TooManyRequests, spent.StatusCode);
        Assert.Contains("today", await GatewayClient.MessageOfAsync(spent), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12345a")]
    public async Task VerifyEndpoint_GuessThatCannotBeACode_400WithoutSpendingAnAttempt(string guess)
    {
        var (_, client) = Start(config => config.Policy["MaxVerifyAttempts"] = 1);
        var (mobile, code) = await SendCodeAsync(client);

        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, mobile, guess)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(client, mobile, code)).StatusCode);
    }

    [Fact]
    public async Task VerifyRoute_ConcurrentWrongGuesses_ExactlyMaxAttemptsReachTheAppAndTheRightCodeThenFails()
    {
        Provider.OtherStatusCode = 400;

        var (host, client) = Start(config => config.Policy["MaxVerifyAttempts"] = 5);
        client.Timeout = GatewayClient.BurstHangGuard;
        var (mobile, code) = await SendCodeAsync(client);

        // The app holds the first attempt: every other guess of the burst is refused while it is there, uncounted.
        var app = Provider.OtherAnswerWhen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = LegacyVerifyAsync(client, mobile, Other(code), within: GatewayClient.BurstHangGuard);
        await Provider.OtherReceived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var burst = await Task.WhenAll(Enumerable.Range(0, 99).Select(_ => LegacyVerifyAsync(client, mobile, Other(code), within: GatewayClient.BurstHangGuard)));
        app.SetResult();
        Provider.OtherAnswerWhen = null;

        Assert.Equal(HttpStatusCode.BadRequest, (await first).StatusCode);
        Assert.Single(Provider.OtherRequests);
        Assert.All(burst, a => Assert.Equal(HttpStatusCode.TooManyRequests, a.StatusCode));
        Assert.All(burst, a => Assert.Equal("1", a.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        // One at a time, the other four attempts reach the app; the sixth spends the code, so the right one fails.
        for (var i = 2; i <= 5; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await LegacyVerifyAsync(client, mobile, Other(code))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await LegacyVerifyAsync(client, mobile, Other(code))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LegacyVerifyAsync(client, mobile, code)).StatusCode);
        Assert.Equal(5, Provider.OtherRequests.Count);
        Assert.False(await Store.HasCodeAsync(host, mobile));
    }

    [Fact]
    public async Task VerifyRoute_AppAccepts_TheCodeIsUsedUpAndTheAnswerPassesThrough()
    {
        var (host, client) = Start();
        var (mobile, code) = await SendCodeAsync(client);

        var accepted = await LegacyVerifyAsync(client, mobile, code);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("{\"app\":\"legacy\"}", await accepted.Content.ReadAsStringAsync());
        var forwarded = Assert.Single(Provider.OtherRequests);
        Assert.Equal("/verifications/sms/", forwarded.Path);
        Assert.True(forwarded.BodyLength > 0);
        Assert.False(await Store.HasCodeAsync(host, mobile));
    }

    [Theory]
    [InlineData("mobile=%20{0}&sms_code=123456")]
    [InlineData("mobile={0}&mobile=13900000000&sms_code=123456")]
    [InlineData("sms_code=123456")]
    [InlineData("mobile=%EF%BC%91{1}&sms_code=123456")]
    public async Task VerifyRoute_MobileNotCanonicalOrAmbiguous_404AndNothingReachesTheApp(string form)
    {
        var (host, client) = Start();
        var mobile = TestMobiles.Next();
        var body = string.Format(System.Globalization.CultureInfo.InvariantCulture, form, mobile, mobile[1..]);
        var commandsBefore = await Store.CommandsRunAsync(host);

        var response = await client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded")).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(Provider.OtherRequests);
        Assert.Equal(commandsBefore, await Store.CommandsRunAsync(host));
    }

    [Fact]
    public async Task VerifyRoute_JsonBodyWithTheMobile_IsGatedLikeAForm()
    {
        Provider.OtherStatusCode = 400;
        var (_, client) = Start(config => config.Policy["MaxVerifyAttempts"] = 1);
        var (mobile, code) = await SendCodeAsync(client);

        var first = await client.PostAsJsonAsync(new Uri("/verifications/sms/", UriKind.Relative), new { mobile, sms_code = Other(code) });
        var second = await client.PostAsJsonAsync(new Uri("/verifications/sms/", UriKind.Relative), new { mobile, sms_code = code });

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Single(Provider.OtherRequests);
    }

    [Fact]
    public async Task VerifyRoute_BodyOverTheLimit_413AndNothingReachesTheApp()
    {
        var (_, client) = Start(config => config.Policy["MaxBodySize"] = 64);

        var response = await client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new StringContent("mobile=13800138000&sms_code=123456&pad=" + new string('x', 100), Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("too large", await GatewayClient.MessageOfAsync(response), StringComparison.Ordinal);
        Assert.Empty(Provider.OtherRequests);
    }

    [Fact]
    public async Task Verify_AnyOutcome_LogsHoldNeitherTheCodeNorTheGuessNorTheFullMobile()
    {
        Provider.OtherStatusCode = 400;
        var (host, client) = Start(config => config.Policy["MaxVerifyAttempts"] = 2, Microsoft.Extensions.Logging.LogLevel.Trace);
        var (mobile, code) = await SendCodeAsync(client);
        const string guess = "987123";

        await VerifyAsync(client, mobile, guess);
        await LegacyVerifyAsync(client, mobile, guess);
        await VerifyAsync(client, mobile, code);
        await LegacyVerifyAsync(client, mobile, code);
        await VerifyAsync(client, TestMobiles.Next(), guess);

        var logs = host.Logs.GetSnapshot();
        Assert.NotEmpty(logs);
        foreach (var log in logs.Select(l => l.FullText()))
        {
            Assert.DoesNotContain(code, log, StringComparison.Ordinal);
            Assert.DoesNotContain(guess, log, StringComparison.Ordinal);
            Assert.DoesNotContain(mobile, log, StringComparison.Ordinal);
        }
    }
}
