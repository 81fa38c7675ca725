using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Gate;

/// <summary>
/// What reaches a legacy app's verify view is an attempt the gate counted, one at a time per code, and the code is used
/// up only by an answer that means success. Through the real host and a real store (both stores); the recording
/// provider's other paths stand in for the app, which never deletes a code, so single use rests on the gate alone.
/// </summary>
public abstract class SmsCodeVerifyGuardContractTests(ContractStore store) : VerifyContractTests(store)
{
    /// <summary>The seed's verify view's answer for an expired or missing code, byte for byte.</summary>
    private static readonly byte[] ExpiredBody = Encoding.UTF8.GetBytes("{\"message\":\"验证码已过期\"}");

    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    [Fact]
    public async Task VerifyRoute_GuessesBeforeTheSend_NoneReachTheAppAndEachIsAnsweredAsExpired()
    {
        var (_, client) = Start();
        var mobile = TestMobiles.Next();
        var keysBefore = await Store.KeyCountAsync();

        var guesses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => LegacyVerifyAsync(client, mobile, i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))));

        Assert.Empty(Provider.OtherRequests);
        Assert.All(guesses, g => Assert.Equal(HttpStatusCode.BadRequest, g.StatusCode));
        foreach (var guess in guesses)
        {
            Assert.Equal(ExpiredBody, await guess.Content.ReadAsByteArrayAsync());
            Assert.Equal("application/json", guess.Content.Headers.ContentType?.ToString());
        }

        Assert.Equal(keysBefore, await Store.KeyCountAsync());
        var (_, code) = await SendCodeAsync(client, mobile);
        Assert.Equal(HttpStatusCode.OK, (await LegacyVerifyAsync(client, mobile, code)).StatusCode);
        Assert.Single(Provider.OtherRequests);
    }

    [Fact]
    public async Task Verify_GuessesAtAMobileWithoutACode_WriteNothingAndDoNotLockTheOwnerOut()
    {
        var (_, client) = Start(config => config.Policy["MaxVerifyFailuresPerDay"] = 20);
        var owner = TestMobiles.Next();
        var keysBefore = await Store.KeyCountAsync();

        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, owner, "123456")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await LegacyVerifyAsync(client, owner, "123456")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(client, TestMobiles.Next(), "123456")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await LegacyVerifyAsync(client, TestMobiles.Next(), "123456")).StatusCode);
        }

        Assert.Equal(keysBefore, await Store.KeyCountAsync());
        Assert.Empty(Provider.OtherRequests);
        var (_, code) = await SendCodeAsync(client, owner);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(client, owner, code)).StatusCode);
    }

    [Fact]
    public async Task VerifyRoute_ConcurrentRightGuessesAtAnAppThatNeverDeletes_ExactlyOneIsAccepted()
    {
        var (_, client) = Start();
        var mobile = TestMobiles.Next();
        var (_, code) = await SendCodeAsync(client, mobile);
        var app = Provider.OtherAnswerWhen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = LegacyVerifyAsync(client, mobile, code);
        await Provider.OtherReceived.Task.WaitAsync(HangGuard);

        // While the first is at the app, every other attempt is answered by the gate at once.
        var others = await Task.WhenAll(Enumerable.Range(0, 19).Select(_ => LegacyVerifyAsync(client, mobile, code, TimeSpan.FromSeconds(10))));
        app.SetResult();
        var accepted = await first;
        var after = await LegacyVerifyAsync(client, mobile, code);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.All(others, o => Assert.Equal(HttpStatusCode.TooManyRequests, o.StatusCode));
        Assert.Equal(HttpStatusCode.BadRequest, after.StatusCode);
        Assert.Equal(ExpiredBody, await after.Content.ReadAsByteArrayAsync());
        Assert.Single(Provider.OtherRequests);
    }

    [Fact]
    public async Task VerifyRoute_AttemptAtTheApp_OthersGet429RetryAfter1UntilTheAppRefusesIt()
    {
        var (_, client) = Start();
        var mobile = TestMobiles.Next();
        var (_, code) = await SendCodeAsync(client, mobile);
        Provider.OtherStatusCode = 400;
        var app = Provider.OtherAnswerWhen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wrong = LegacyVerifyAsync(client, mobile, Other(code));
        await Provider.OtherReceived.Task.WaitAsync(HangGuard);

        var refused = await LegacyVerifyAsync(client, mobile, code);
        var refusedByTheEndpoint = await VerifyAsync(client, mobile, code);
        app.SetResult();
        Assert.Equal(HttpStatusCode.BadRequest, (await wrong).StatusCode);
        Provider.OtherAnswerWhen = null;
        Provider.OtherStatusCode = 200;
        var right = await LegacyVerifyAsync(client, mobile, code);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("being checked", await GatewayClient.MessageOfAsync(refused), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedByTheEndpoint.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refusedByTheEndpoint.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(2, Provider.OtherRequests.Count);
    }

    [Fact]
    public async Task VerifyRoute_AppRefusesWithA200_VerifySuccessWhenKeepsTheCodeAndPassesTheAnswerOn()
    {
        var (_, client) = Start(config => config.Policy["VerifySuccessWhen"] = new JsonObject { ["Status"] = 200, ["Property"] = "ok", ["Value"] = "true" });
        var mobile = TestMobiles.Next();
        var (_, code) = await SendCodeAsync(client, mobile);
        Provider.OtherBody = "{\"ok\":false}";

        var refused = await LegacyVerifyAsync(client, mobile, Other(code));
        Provider.OtherBody = "{\"ok\":true}";
        var accepted = await LegacyVerifyAsync(client, mobile, code);
        var after = await LegacyVerifyAsync(client, mobile, code);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal("{\"ok\":false}", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("{\"ok\":true}", await accepted.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, after.StatusCode);
        Assert.Equal(2, Provider.OtherRequests.Count);
    }

    [Fact]
    public async Task VerifyRoute_AnswersOverridden_NoCodeAndInFlightUseThePolicysAnswers()
    {
        var (_, client) = Start(config => config.Policy["Answers"] = new JsonObject
        {
            ["VerifyNoCode"] = new JsonObject { ["Status"] = 410, ["Body"] = "{{\"errmsg\":\"gone\"}}" },
            ["AttemptInFlight"] = new JsonObject { ["Status"] = 409, ["Body"] = "{{\"errmsg\":\"busy {retryAfter}\"}}" },
        });
        var mobile = TestMobiles.Next();

        var none = await LegacyVerifyAsync(client, mobile, "123456");
        var (_, code) = await SendCodeAsync(client, mobile);
        var app = Provider.OtherAnswerWhen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = LegacyVerifyAsync(client, mobile, code);
        await Provider.OtherReceived.Task.WaitAsync(HangGuard);
        var busy = await LegacyVerifyAsync(client, mobile, code);
        app.SetResult();
        await held;

        Assert.Equal((HttpStatusCode)410, none.StatusCode);
        Assert.Equal("{\"errmsg\":\"gone\"}", await none.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.Equal("{\"errmsg\":\"busy 1\"}", await busy.Content.ReadAsStringAsync());
    }
}
