using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Host;

/// <summary>What operators rely on: health endpoints, the metrics endpoint, graceful shutdown.</summary>
public sealed partial class OperationsTests : OwnRedisTests
{
    [Fact]
    public async Task Readyz_FollowsRedis_WhileHealthzStaysLive()
    {
        var client = Start().CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        await Redis.StopAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

        await Redis.StartAsync();

        Assert.True(await GatewayClient.EventuallyAsync(
            async () => (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20)));
        Assert.Empty(Provider.Requests);
    }

    [Fact]
    public async Task Metrics_ScrapedAsPrometheusText_ShowTheCountersMove()
    {
        // Meters are process-wide and other tests run alongside: count only this test's policy.
        var policy = $"metrics-{Guid.NewGuid():N}";
        var client = Start(policyName: policy).CreateClient();
        var mobile = TestMobiles.Next();

        await client.RequestCodeAsync(mobile);
        await client.RequestCodeAsync(mobile);
        await client.RequestCodeAsync(mobile);
        Provider.StatusCode = 500;
        await client.RequestCodeAsync(TestMobiles.Next());
        await Redis.StopAsync();
        await client.RequestCodeAsync(TestMobiles.Next());

        var text = "";
        await GatewayClient.EventuallyAsync(async () =>
        {
            text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            return Value(text, policy, "sms_code_gate_requests_total", "store_unavailable") == 1;
        });

        Assert.Equal(1, Value(text, policy, "sms_code_gate_requests_total", "issued"));
        Assert.Equal(2, Value(text, policy, "sms_code_gate_requests_total", "refused_interval"));
        Assert.Equal(1, Value(text, policy, "sms_code_gate_requests_total", "provider_failed"));
        Assert.Equal(1, Value(text, policy, "sms_code_gate_requests_total", "store_unavailable"));
        Assert.Equal(5, Value(text, policy, "sms_code_gate_requests_total"));
        Assert.Contains(SampleLine().Matches(text), m => m.Groups["labels"].Value.Contains($"sms_code_gate_policy=\"{policy}\"", StringComparison.Ordinal)
            && m.Groups["labels"].Value.Contains("sms_code_gate_result=\"store_unavailable\"", StringComparison.Ordinal)
            && m.Groups["labels"].Value.Contains("error_type=\"", StringComparison.Ordinal));
        Assert.Equal(1, Value(text, policy, "sms_code_gate_provider_duration_seconds_count", "issued"));
        Assert.Equal(1, Value(text, policy, "sms_code_gate_provider_duration_seconds_count", "provider_failed"));
        Assert.Equal(2, Value(text, policy, "sms_code_gate_provider_duration_seconds_count"));
        Assert.Equal(4, Value(text, policy, "sms_code_gate_store_duration_seconds_count", "success"));
        Assert.Equal(1, Value(text, policy, "sms_code_gate_store_duration_seconds_count", "failure"));
    }

    [Fact]
    public async Task Shutdown_WithARequestInFlight_StopsListeningButLetsItFinishWithItsCodeStored()
    {
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Provider.AnswerWhen = answer;
        var host = Start(kestrel: true);
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        // The provider holds the send until shutdown is under way: the gateway has closed its listener.
        var pending = client.RequestCodeAsync(mobile);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(Provider.RequestsFor(mobile).Count == 1)));
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.True(await GatewayClient.EventuallyAsync(async () => !await AcceptsConnectionsAsync(client.BaseAddress!)), "the gateway still accepts connections");
        answer.SetResult();
        var response = await pending;

        Assert.True(response.StatusCode == HttpStatusCode.OK, host.Logs.GetSnapshot().Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Describe());
        Assert.Equal(Provider.RequestsFor(mobile).Single().Code, (string?)await Redis.Database(2).StringGetAsync($"sms_{mobile}"));
    }

    private static async Task<bool> AcceptsConnectionsAsync(Uri address)
    {
        using var probe = new TcpClient();
        try
        {
            await probe.ConnectAsync(address.Host, address.Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static double Value(string prometheusText, string policy, string metric, string? label = null)
    {
        var total = 0.0;
        foreach (Match match in SampleLine().Matches(prometheusText))
        {
            var labels = match.Groups["labels"].Value;
            if (match.Groups["name"].Value == metric
                && labels.Contains($"sms_code_gate_policy=\"{policy}\"", StringComparison.Ordinal)
                && (label is null || labels.Contains($"\"{label}\"", StringComparison.Ordinal)))
            {
                total += double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    private GatewayHost Start(bool kestrel = false, string policyName = GatewayConfig.PolicyName)
    {
        var host = new GatewayHost(new GatewayConfig(Provider.Address, Redis.ConnectionString, policyName: policyName));
        Resources.Add(host);
        return kestrel ? host.StartOnKestrel() : host.Start();
    }
}
