using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Host;

/// <summary>The shipped <c>yarp.json</c> through the real host, against a real redis-server.</summary>
public sealed class ShippedConfigurationTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string RateLimited = "Too many requests from this client. Please try again later.";
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _app = null!;

    public async Task InitializeAsync() => _app = _resources.Add(await RecordingSmsProvider.StartAsync());

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task VerifyRoutes_ManyGuessesFromOneClient_TheClientRateLimitAnswers429()
    {
        var host = _resources.Add(new GatewayHost(GatewayConfig.Shipped(_app.Address, redis.Server.ConnectionString)).Start());
        var client = host.CreateClient();

        // More guesses than the policy's bucket holds, at mobiles without a code: the gate would answer each 400. The
        // two routes share the bucket, so the endpoint's guesses find it empty or nearly.
        var legacy = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.PostAsync(new Uri("/verifications/sms/", UriKind.Relative),
            new FormUrlEncodedContent([new("mobile", TestMobiles.Next()), new("sms_code", "123456")])).WaitAsync(TimeSpan.FromSeconds(30))));
        var endpoint = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.PostAsJsonAsync(
            new Uri($"/sms_codes/{TestMobiles.Next()}/verify", UriKind.Relative), new { code = "123456" }).WaitAsync(TimeSpan.FromSeconds(30))));

        Assert.Contains(legacy, a => a.StatusCode == HttpStatusCode.BadRequest);
        await AssertSomeRateLimitedAsync(legacy);
        await AssertSomeRateLimitedAsync(endpoint);
        Assert.Empty(_app.OtherRequests);
    }

    private static async Task AssertSomeRateLimitedAsync(HttpResponseMessage[] answers)
    {
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        foreach (var answer in limited)
        {
            Assert.Equal(RateLimited, await GatewayClient.MessageOfAsync(answer));
            Assert.NotNull(answer.Headers.RetryAfter);
        }
    }
}
