using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A gateway configuration file shaped like the repository's yarp.json: one gated route to the provider and a
/// catch-all route. Tests edit <see cref="Root"/> (or <see cref="Policy"/>) and write it to a temporary file.
/// </summary>
public sealed class GatewayConfig
{
    public const string PolicyName = "test";
    public const string GatedRouteId = "sms-codes";

    public GatewayConfig(Uri providerAddress, string? redis, Uri? legacyAddress = null, string policyName = PolicyName)
    {
        Name = policyName;
        Root = new JsonObject
        {
            ["SmsCodeGate"] = new JsonObject
            {
                ["Redis"] = redis,
                ["StoreTimeout"] = "00:00:01",
                ["StoreBreakDuration"] = "00:00:02",
                ["Policies"] = new JsonObject { [policyName] = new JsonObject() },
            },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject
                {
                    [GatedRouteId] = new JsonObject
                    {
                        ["ClusterId"] = "sms-provider",
                        ["Match"] = new JsonObject { ["Path"] = "/sms_codes/{mobile}/", ["Methods"] = new JsonArray("GET") },
                        ["Metadata"] = new JsonObject { ["SmsCodePolicy"] = policyName },
                        ["Transforms"] = new JsonArray(new JsonObject { ["PathPattern"] = "/send/{mobile}" }),
                    },
                    ["legacy-app"] = new JsonObject
                    {
                        ["ClusterId"] = "legacy-app",
                        ["Order"] = 1000,
                        ["Match"] = new JsonObject { ["Path"] = "{**catch-all}" },
                    },
                },
                ["Clusters"] = new JsonObject
                {
                    ["sms-provider"] = new JsonObject
                    {
                        ["Metadata"] = new JsonObject { ["SmsProvider"] = "true" },
                        ["Destinations"] = new JsonObject { ["provider"] = new JsonObject { ["Address"] = providerAddress.ToString() } },
                    },
                    ["legacy-app"] = new JsonObject
                    {
                        ["Destinations"] = new JsonObject { ["legacy"] = new JsonObject { ["Address"] = (legacyAddress ?? providerAddress).ToString() } },
                    },
                },
            },
        };
    }

    private GatewayConfig(JsonObject root, string policyName)
    {
        Root = root;
        Name = policyName;
    }

    /// <summary>
    /// The shipped <c>yarp.json</c> (the copy beside the test binaries), with its Redis and every cluster's
    /// destinations pointed at the test's own.
    /// </summary>
    public static GatewayConfig Shipped(Uri address, string redis)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "yarp.json")))!.AsObject();
        root["SmsCodeGate"]!["Redis"] = redis;
        foreach (var (_, cluster) in root["ReverseProxy"]!["Clusters"]!.AsObject())
        {
            cluster!["Destinations"] = new JsonObject { ["test"] = new JsonObject { ["Address"] = address.ToString() } };
        }

        return new GatewayConfig(root, root["SmsCodeGate"]!["Policies"]!.AsObject().First().Key);
    }

    /// <summary>The gate policy's name (a test that reads process-wide metrics picks its own).</summary>
    public string Name { get; }

    public JsonObject Root { get; }

    public JsonObject Gate => Root["SmsCodeGate"]!.AsObject();

    public JsonObject Policy => Gate["Policies"]![Name]!.AsObject();

    public JsonObject GatedRoute => Root["ReverseProxy"]!["Routes"]![GatedRouteId]!.AsObject();

    /// <summary>
    /// Adds the verify half: <c>POST /verifications/sms/</c> guarded on its way to the legacy app (the mobile in the
    /// body, as the seed's view reads it), and the gate's own endpoint <c>POST /sms_codes/{mobile}/verify</c>.
    /// </summary>
    public GatewayConfig WithVerifyRoutes()
    {
        var routes = Root["ReverseProxy"]!["Routes"]!.AsObject();
        routes["legacy-verify"] = new JsonObject
        {
            ["ClusterId"] = "legacy-app",
            ["Match"] = new JsonObject { ["Path"] = "/verifications/sms/", ["Methods"] = new JsonArray("POST") },
            ["Metadata"] = new JsonObject { ["SmsVerifyPolicy"] = Name, ["SmsMobileFrom"] = "Body:mobile" },
        };
        routes["sms-verify"] = new JsonObject
        {
            ["ClusterId"] = "sms-provider",
            ["Match"] = new JsonObject { ["Path"] = "/sms_codes/{mobile}/verify", ["Methods"] = new JsonArray("POST") },
            ["Metadata"] = new JsonObject { ["SmsVerifyEndpoint"] = Name },
        };
        return this;
    }

    /// <summary>
    /// Sets how long the gateway waits on a provider that answers nothing (the provider cluster's
    /// <c>ActivityTimeout</c>), for a test of that timeout. Other tests keep YARP's default (100 s, beyond their hang
    /// guards): on a loaded machine a provider that is merely slow to be scheduled must not read as one timing out.
    /// </summary>
    public GatewayConfig WithProviderTimeout(TimeSpan timeout)
    {
        var cluster = Root["ReverseProxy"]!["Clusters"]!["sms-provider"]!.AsObject();
        cluster["HttpRequest"] = new JsonObject { ["ActivityTimeout"] = timeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture) };
        return this;
    }

    /// <summary>
    /// A store timeout far beyond any test's hang guard, for a host on a fake clock: only the test moving the clock
    /// lets it pass, and the library's own timeout (derived from it, five times as long) cannot answer first. Not for a
    /// test that needs Redis reconnected: the library derives its connect timeout and reconnect back-off from it too.
    /// </summary>
    public static readonly TimeSpan StoreTimeoutForAFakeClock = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A store timeout beyond any test's hang guard, for a host on the real clock whose test is not about the timeout:
    /// on a loaded machine a Redis call that takes seconds to be scheduled must not read as an outage (a 503). A hang
    /// still fails, at the test's own hang guard. The tests of the timeout run on a fake clock
    /// (<see cref="StoreTimeoutForAFakeClock"/>). Not for a test that needs Redis reconnected, for the same reason.
    /// </summary>
    public static readonly TimeSpan StoreTimeoutBeyondHangGuards = TimeSpan.FromMinutes(10);

    /// <summary>Sets <c>SmsCodeGate:StoreTimeout</c> (1 s unless set).</summary>
    public GatewayConfig WithStoreTimeout(TimeSpan timeout)
    {
        Gate["StoreTimeout"] = timeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        return this;
    }

    public string WriteTo(string path)
    {
        File.WriteAllText(path, Root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
