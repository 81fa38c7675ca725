using System.Reflection;
using Gateway.Middleware.Policies;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Store.Redis;

/// <summary>
/// The start-up check on Redis Cluster, a row for every key template of one mobile. The rows come from the policy's
/// options themselves (every template whose default holds <c>{mobile}</c>), so that a new key is checked by a row
/// here the day it is added; every cap that is off by default is turned on, so that no key is skipped for being
/// unused. One cluster serves the class: a refused policy writes nothing.
/// </summary>
public sealed class RedisClusterPolicyCheckTests(RedisClusterFixture cluster)
    : IClassFixture<RedisClusterFixture>, IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    /// <summary>The mobile's key templates, by option name, as shipped.</summary>
    public static TheoryData<string> MobileKeyTemplates
    {
        get
        {
            var rows = new TheoryData<string>();
            foreach (var (name, _) in MobileTemplates())
            {
                rows.Add(name);
            }

            return rows;
        }
    }

    public async Task InitializeAsync() => _provider = _resources.Add(await RecordingSmsProvider.StartAsync());

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public void MobileKeyTemplates_AreTheOnesTheScriptsTouch()
    {
        // A floor for the reflection below: the keys one mobile's scripts touch today are all found.
        Assert.Superset(
            new HashSet<string> { "SendFlagKey", "CodeKey", "CodeStateKey", "HourCounterKey", "DayCounterKey", "VerifyFailureCounterKey" },
            MobileTemplates().Select(t => t.Name).ToHashSet());
    }

    [Fact]
    public void Start_EveryMobileKeyHashTagged_Starts()
    {
        var config = ClusterConfig(untagged: null);

        var host = _resources.Add(new GatewayHost(config)).Start();

        Assert.DoesNotContain(host.Logs.GetSnapshot(), l => l.Id.Name == "PolicyRejected");
    }

    [Theory]
    [MemberData(nameof(MobileKeyTemplates))]
    public async Task Start_OneMobileKeyOutsideTheHashTag_RefusedNamingThatKey(string option)
    {
        // Start-up does not wait for Redis: the check runs once the cluster answers, and refuses the policy (503, one
        // error line naming the key) instead of failing the start.
        var shipped = MobileTemplates().Single(t => t.Name == option).Default;
        var config = ClusterConfig(untagged: option);
        var host = _resources.Add(new GatewayHost(config)).Start();
        var client = host.CreateClient();

        var statuses = new List<System.Net.HttpStatusCode>();
        Assert.True(await GatewayClient.EventuallyAsync(async () =>
        {
            statuses.Add((await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
            return host.Logs.GetSnapshot().Any(l => l.Id.Name == "PolicyRejected"
                && l.Message.Contains($"{option} ('{shipped}')", StringComparison.Ordinal)
                && l.Message.Contains("does not share a hash slot", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(30)));

        Assert.All(statuses, status => Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, status));
        Assert.Empty(_provider.Requests);
    }

    [Fact]
    public void Start_PolicyWithBlocksInASlotOfTheirOwn_Starts()
    {
        var config = ClusterConfig(untagged: null);
        config.Policy["CountryCode"] = "86";
        config.Policy["Blocks"] = BlocksConfig(untagged: null);

        var host = _resources.Add(new GatewayHost(config)).Start();

        Assert.DoesNotContain(host.Logs.GetSnapshot(), l => l.Id.Name == "PolicyRejected");
    }

    [Theory]
    [InlineData("BlockedKey", "sms_blocked_{block}", "does not share a hash slot with CounterKey ('sms_block_{{{block}}}') for every block")]
    [InlineData("HourCounterKey", "sms_block_hour_{block}", "does not share a hash slot with CounterKey ('sms_block_{{{block}}}') for every block")]
    [InlineData("RememberedKey", "sms_verified_{mobile}", "does not share a hash slot with SendFlagKey ('send_flag_{{{mobile}}}') for every mobile")]
    public async Task Start_BlockKeyOutsideItsSlot_RefusedNamingThatKey(string option, string shipped, string expected)
    {
        var config = ClusterConfig(untagged: null);
        config.Policy["CountryCode"] = "86";
        config.Policy["Blocks"] = BlocksConfig(untagged: option);
        var host = _resources.Add(new GatewayHost(config)).Start();
        var client = host.CreateClient();

        var statuses = new List<System.Net.HttpStatusCode>();
        Assert.True(await GatewayClient.EventuallyAsync(async () =>
        {
            statuses.Add((await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
            return host.Logs.GetSnapshot().Any(l => l.Id.Name == "PolicyRejected"
                && l.Message.Contains($"SmsCodeGate:Policies:test:Blocks:{option} ('{shipped}') {expected}", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(30)));

        Assert.All(statuses, status => Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, status));
        Assert.Empty(_provider.Requests);
    }

    /// <summary>Every block rule on, every block key in a hash tag around the block (the remembered key around the mobile) except <paramref name="untagged"/>, shipped.</summary>
    private static System.Text.Json.Nodes.JsonObject BlocksConfig(string? untagged)
    {
        var blocks = new System.Text.Json.Nodes.JsonObject { ["PrefixLength"] = 7, ["MinConversion"] = 0.2, ["MaxPerHour"] = 100 };
        var shipped = new SmsCodeBlockOptions();
        foreach (var (name, template, placeholder) in new[]
        {
            (nameof(SmsCodeBlockOptions.CounterKey), shipped.CounterKey, SmsCodeBlockOptions.BlockPlaceholder),
            (nameof(SmsCodeBlockOptions.HourCounterKey), shipped.HourCounterKey, SmsCodeBlockOptions.BlockPlaceholder),
            (nameof(SmsCodeBlockOptions.BlockedKey), shipped.BlockedKey, SmsCodeBlockOptions.BlockPlaceholder),
            (nameof(SmsCodeBlockOptions.RememberedKey), shipped.RememberedKey, SmsCodePolicyOptions.MobilePlaceholder),
        })
        {
            blocks[name] = name == untagged ? template : template.Replace(placeholder, "{{" + placeholder + "}}", StringComparison.Ordinal);
        }

        return blocks;
    }

    /// <summary>
    /// A policy for the cluster: database 0, every cap on, every mobile key in a hash tag except
    /// <paramref name="untagged"/>, which keeps its shipped template.
    /// </summary>
    private GatewayConfig ClusterConfig(string? untagged)
    {
        var config = new GatewayConfig(_provider.Address, cluster.Cluster.ConnectionString);
        config.Policy["Database"] = 0;
        var shipped = new SmsCodePolicyOptions();
        foreach (var cap in typeof(SmsCodePolicyOptions).GetProperties()
            .Where(p => p.PropertyType == typeof(int) && p.Name.StartsWith("Max", StringComparison.Ordinal) && (int)p.GetValue(shipped)! == 0))
        {
            config.Policy[cap.Name] = 5;
        }

        foreach (var (name, template) in MobileTemplates())
        {
            config.Policy[name] = name == untagged ? template : template.Replace(SmsCodePolicyOptions.MobilePlaceholder, "{{" + SmsCodePolicyOptions.MobilePlaceholder + "}}", StringComparison.Ordinal);
        }

        return config;
    }

    private static IEnumerable<(string Name, string Default)> MobileTemplates()
    {
        var shipped = new SmsCodePolicyOptions();
        return typeof(SmsCodePolicyOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string) && p.CanWrite)
            .Select(p => (p.Name, Default: (string?)p.GetValue(shipped) ?? string.Empty))
            .Where(t => t.Default.Contains(SmsCodePolicyOptions.MobilePlaceholder, StringComparison.Ordinal))
            .OrderBy(t => t.Name, StringComparer.Ordinal);
    }
}
