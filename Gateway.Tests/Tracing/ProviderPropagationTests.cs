using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Gateway.Middleware.Tracing;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Tracing;

/// <summary>
/// With activities listened to (as under OpenTelemetry tracing), a provider cluster's client propagates nothing: the
/// SMS provider gets no trace header, while a legacy app still gets the client's trace. Through the real host on
/// Kestrel and the recording provider on loopback.
/// </summary>
public sealed class ProviderPropagationTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string ClientTraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string ClientTraceParent = "00-" + ClientTraceId + "-b7ad6b7169203331-01";
    private readonly TestResources _resources = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private RecordingSmsProvider _provider = null!;
    private ActivityListener _listener = null!;

    public async Task InitializeAsync()
    {
        await redis.Server.Server.FlushAllDatabasesAsync();
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "System.Net.Http" or ProviderTraceHandler.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _stopped.Enqueue(activity),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _resources.DisposeAsync();
    }

    [Fact]
    public async Task SendRoute_ListenedWithClientTraceParent_ProviderGetsNoTraceHeader()
    {
        var gateway = Start(new GatewayConfig(_provider.Address, redis.Server.ConnectionString));

        var answer = await RawHttp.SendAsync(gateway, "GET", "/sms_codes/13800138000/", null,
            "traceparent: " + ClientTraceParent, "tracestate: client=secret", "baggage: user=secret");

        Assert.Equal(200, answer.Status);
        AssertNoTraceHeader(Assert.Single(_provider.Requests));
    }

    [Fact]
    public async Task SendRoute_UnmarkedProviderCluster_ProviderGetsNoTraceHeader()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        config.Root["ReverseProxy"]!["Clusters"]!["sms-provider"]!.AsObject().Remove("Metadata");
        config.Root["ReverseProxy"]!["Routes"]![GatewayConfig.GatedRouteId]!["Metadata"]!["SmsProviderUnmarked"] = "allow";
        var gateway = Start(config);

        var answer = await RawHttp.SendAsync(gateway, "GET", "/sms_codes/13800138000/", null, "traceparent: " + ClientTraceParent);

        Assert.Equal(200, answer.Status);
        AssertNoTraceHeader(Assert.Single(_provider.Requests));
    }

    [Fact]
    public async Task SendRoute_SourceListened_ProviderCallActivityInTheClientsTrace()
    {
        var gateway = Start(new GatewayConfig(_provider.Address, redis.Server.ConnectionString));

        var answer = await RawHttp.SendAsync(gateway, "GET", "/sms_codes/13800138000/", null, "traceparent: " + ClientTraceParent);

        Assert.Equal(200, answer.Status);
        var call = Assert.Single(_stopped, activity => activity.OperationName == ProviderTraceHandler.ActivityName
            && activity.TraceId.ToHexString() == ClientTraceId);
        Assert.Equal(ActivityKind.Client, call.Kind);
        AssertNoTraceHeader(Assert.Single(_provider.Requests));
    }

    [Fact]
    public async Task LegacyRoute_ListenedWithClientTraceParent_AppGetsTheClientsTrace()
    {
        var gateway = Start(new GatewayConfig(_provider.Address, redis.Server.ConnectionString));

        var answer = await RawHttp.SendAsync(gateway, "GET", "/anything/", null, "traceparent: " + ClientTraceParent);

        Assert.Equal(200, answer.Status);
        var received = Assert.Single(_provider.OtherRequests);
        Assert.Matches("^00-" + ClientTraceId + "-[0-9a-f]{16}-01$", received.Headers["traceparent"]);
    }

    private static void AssertNoTraceHeader(ProviderRequest sent)
    {
        foreach (var name in ProviderCall.TraceHeaders)
        {
            Assert.False(sent.Headers.ContainsKey(name), name + ": " + sent.Headers.GetValueOrDefault(name));
        }
    }

    private Uri Start(GatewayConfig config)
    {
        var host = _resources.Add(new GatewayHost(config).StartOnKestrel());
        return host.CreateClient().BaseAddress!;
    }
}
