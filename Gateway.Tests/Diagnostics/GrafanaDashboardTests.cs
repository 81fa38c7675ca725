using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Diagnostics;

/// <summary>The shipped Grafana dashboard queries only metrics that the gateway's <c>/metrics</c> really has.</summary>
public sealed partial class GrafanaDashboardTests(RedisFixture redis) : SharedRedisTests(redis)
{
    [Fact]
    public async Task Dashboard_EveryMetricAPanelQueries_AppearsOnMetrics()
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString).WithVerifyRoutes();
        config.Policy["MaxPerHour"] = 5;
        config.Policy["CountryCode"] = "86";
        config.Policy["Numbers"] = new JsonObject { ["DenyPrefixes"] = new JsonArray("+86170") };
        config.Root["ClientRateLimiting"] = new JsonObject
        {
            ["Policies"] = new JsonObject { ["per-ip"] = new JsonObject { ["Kind"] = "FixedWindow", ["PermitLimit"] = 6, ["Window"] = "00:10:00" } },
        };
        config.GatedRoute["RateLimiterPolicy"] = "per-ip";
        var host = Resources.Add(new GatewayHost(config).Start());
        var client = host.CreateClient();

        // One of every outcome the panels show: issued, verified, refused, refused by a pumping rule, provider failed,
        // store failed, rate limited.
        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        var verify = await client.PostAsJsonAsync(new Uri($"/sms_codes/{mobile}/verify", UriKind.Relative), new { code = Provider.RequestsFor(mobile)[0].Code });
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.RequestCodeAsync("17012345678")).StatusCode);
        Provider.StatusCode = 500;
        Assert.Equal(HttpStatusCode.BadGateway, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        var poisoned = TestMobiles.Next();
        await Redis.Database(2).ListLeftPushAsync($"sms_hour_{poisoned}", "not a counter");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(poisoned)).StatusCode);

        // The limiter lets at most its 6 permits through: bounded, so that a limiter that never refuses fails the test.
        var statuses = new List<HttpStatusCode>();
        while (statuses.Count <= 6 && !statuses.Contains(HttpStatusCode.TooManyRequests))
        {
            statuses.Add((await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);

        var scraped = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        var expressions = Expressions(await File.ReadAllTextAsync(DashboardPath()));
        var queried = expressions.SelectMany(expr => MetricName().Matches(expr).Select(m => m.Value)).Distinct(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(queried);
        var missing = queried.Where(metric => !Regex.IsMatch(scraped, $"^{Regex.Escape(metric)}[{{ ]", RegexOptions.Multiline)).ToList();
        Assert.True(missing.Count == 0, "not on /metrics: " + string.Join(", ", missing));

        // The panels select and group by labels now, not by metric names: those must be on /metrics too.
        var samples = SampleLine().Matches(scraped).Select(m => (Name: m.Groups["name"].Value, Labels: m.Groups["labels"].Value)).ToList();
        var unmatched = new List<string>();
        foreach (var expr in expressions)
        {
            foreach (Match selector in Selector().Matches(expr))
            {
                var series = samples.Where(s => s.Name == selector.Groups["metric"].Value).Select(s => s.Labels).ToList();
                foreach (Match matcher in Matcher().Matches(selector.Groups["matchers"].Value))
                {
                    var value = matcher.Groups["op"].Value == "=~" ? matcher.Groups["value"].Value : Regex.Escape(matcher.Groups["value"].Value);
                    if (!series.Any(labels => Regex.IsMatch(labels, $"(?:^|,){matcher.Groups["label"].Value}=\"(?:{value})\"")))
                    {
                        unmatched.Add($"{selector.Value}: {matcher.Value}");
                    }
                }
            }

            var metrics = MetricName().Matches(expr).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            foreach (var label in GroupedBy().Matches(expr).SelectMany(m => m.Groups["labels"].Value.Split(',', StringSplitOptions.TrimEntries)).Where(l => l != "le"))
            {
                if (!samples.Any(s => metrics.Contains(s.Name) && s.Labels.Contains(label + "=\"", StringComparison.Ordinal)))
                {
                    unmatched.Add($"{expr}: by {label}");
                }
            }
        }

        Assert.True(unmatched.Count == 0, "no series on /metrics for: " + string.Join("; ", unmatched));
    }

    private static List<string> Expressions(string dashboard)
    {
        using var document = JsonDocument.Parse(dashboard);
        return document.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)
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

    [GeneratedRegex(@"(?<metric>\b(?:sms_code_gate|aspnetcore|http_server)_[a-z_]+(?:_total|_bucket))\{(?<matchers>[^}]*)\}")]
    private static partial Regex Selector();

    [GeneratedRegex("(?<label>[a-z_]+)(?<op>=~|=)\"(?<value>[^\"]*)\"")]
    private static partial Regex Matcher();

    [GeneratedRegex(@"\bby \((?<labels>[a-z_, ]+)\)")]
    private static partial Regex GroupedBy();

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>(?:[^""}]|""[^""]*"")*)\} ", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
