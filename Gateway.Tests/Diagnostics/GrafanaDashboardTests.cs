using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Diagnostics;

/// <summary>The shipped Grafana dashboard queries only metrics that the gateway's <c>/metrics</c> really has.</summary>
public sealed partial class GrafanaDashboardTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        await redis.Server.Server.FlushAllDatabasesAsync();
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task Dashboard_EveryMetricAPanelQueries_AppearsOnMetrics()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        config.Policy["MaxPerHour"] = 5;
        config.Root["ClientRateLimiting"] = new JsonObject
        {
            ["Policies"] = new JsonObject { ["per-ip"] = new JsonObject { ["Kind"] = "FixedWindow", ["PermitLimit"] = 6, ["Window"] = "00:10:00" } },
        };
        config.GatedRoute["RateLimiterPolicy"] = "per-ip";
        var host = _resources.Add(new GatewayHost(config).Start());
        var client = host.CreateClient();

        // One of every outcome the panels show: issued, refused, provider failed, store failed, rate limited.
        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        _provider.StatusCode = 500;
        Assert.Equal(HttpStatusCode.BadGateway, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        var poisoned = TestMobiles.Next();
        await redis.Server.Database(2).ListLeftPushAsync($"sms_hour_{poisoned}", "not a counter");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(poisoned)).StatusCode);
        HttpStatusCode status;
        do
        {
            status = (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode;
        }
        while (status != HttpStatusCode.TooManyRequests);

        var scraped = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        var queried = MetricNames(await File.ReadAllTextAsync(DashboardPath()));
        Assert.NotEmpty(queried);
        var missing = queried.Where(metric => !Regex.IsMatch(scraped, $"^{Regex.Escape(metric)}[{{ ]", RegexOptions.Multiline)).ToList();
        Assert.True(missing.Count == 0, "not on /metrics: " + string.Join(", ", missing));
    }

    private static List<string> MetricNames(string dashboard)
    {
        using var document = JsonDocument.Parse(dashboard);
        return document.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .SelectMany(target => MetricName().Matches(target.GetProperty("expr").GetString()!).Select(m => m.Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static string DashboardPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "deploy", "grafana", "sms-gateway.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("deploy/grafana/sms-gateway.json not found above the test's directory.");
    }

    [GeneratedRegex(@"\b(?:sms_code_gate|aspnetcore|http_server)_[a-z_]+(?:_total|_bucket)\b")]
    private static partial Regex MetricName();
}
