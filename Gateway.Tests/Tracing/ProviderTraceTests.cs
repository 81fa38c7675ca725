using Gateway.Middleware.Tracing;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Tracing;

/// <summary>
/// The provider gets no trace context, the client's or the gateway's; a legacy app keeps the client's trace, with
/// bounded baggage. Through the real host on Kestrel and the recording provider on loopback.
/// </summary>
public sealed class ProviderTraceTests(RedisFixture redis) : SharedRedisTests(redis)
{
    private const string ClientTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ClientTraceParent = "00-" + ClientTraceId + "-00f067aa0ba902b7-01";

    [Fact]
    public async Task SendRoute_ClientTraceContext_NoneOfItReachesTheProvider()
    {
        var gateway = Start();
        var baggage = Baggage(6 * 1024);

        var answer = await RawHttp.SendAsync(gateway, "GET", "/sms_codes/13800138000/", null,
            "traceparent: " + ClientTraceParent, "tracestate: client=secret", "baggage: " + baggage,
            "Request-Id: |client.1.", "Correlation-Context: user=secret");

        Assert.Equal(200, answer.Status);
        var sent = Assert.Single(Provider.Requests);
        foreach (var name in ProviderCall.TraceHeaders)
        {
            Assert.False(sent.Headers.ContainsKey(name), name + ": " + sent.Headers.GetValueOrDefault(name));
        }

        Assert.DoesNotContain(ClientTraceId, string.Join("\n", sent.Headers.Values), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LegacyRoute_ClientTraceContext_PropagatedWithBaggageBounded()
    {
        var gateway = Start();

        var answer = await RawHttp.SendAsync(gateway, "GET", "/anything/", null,
            "traceparent: " + ClientTraceParent, "baggage: " + Baggage(12 * 1024));

        Assert.Equal(200, answer.Status);
        var received = Assert.Single(Provider.OtherRequests);
        Assert.Contains(ClientTraceId, received.Headers["traceparent"], StringComparison.Ordinal);
        Assert.InRange(received.Headers["baggage"].Length, 1, GatewayTracePropagator.MaxBaggageLength);
    }

    [Theory]
    [InlineData("a=1,b=2", "a=1,b=2")]
    [InlineData(null, null)]
    public void Bounded_ShortBaggage_Unchanged(string? value, string? expected)
    {
        Assert.True(GatewayTracePropagator.Bounded("baggage", ref value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void Bounded_LongBaggage_CutAtAMemberOrDropped()
    {
        var members = Baggage(9000);
        var single = "k=" + new string('v', 9000);

        Assert.True(GatewayTracePropagator.Bounded("baggage", ref members));
        Assert.InRange(members!.Length, 8000, GatewayTracePropagator.MaxBaggageLength);
        Assert.DoesNotContain(",", members[^1..], StringComparison.Ordinal);
        Assert.False(GatewayTracePropagator.Bounded("Correlation-Context", ref single));
    }

    private static string Baggage(int length)
    {
        var members = new List<string>();
        for (var i = 0; members.Sum(m => m.Length + 1) < length; i++)
        {
            members.Add($"k{i}=v{i}-{new string('x', 40)}");
        }

        return string.Join(",", members);
    }

    private Uri Start()
    {
        var host = Resources.Add(new GatewayHost(new GatewayConfig(Provider.Address, Redis.ConnectionString)).StartOnKestrel());
        return host.CreateClient().BaseAddress!;
    }
}
