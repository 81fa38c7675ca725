namespace Gateway.Middleware;

/// <summary>Names of the YARP route metadata keys the gate reads.</summary>
public static class SmsCodeGateMetadata
{
    /// <summary>The route metadata key that names the gate policy of a send route, e.g. <c>"Metadata": { "SmsCodePolicy": "default" }</c>.</summary>
    public const string PolicyName = "SmsCodePolicy";

    /// <summary>
    /// The route metadata key that names the policy guarding a legacy app's verify route: each request counts as
    /// an attempt against the mobile's current code before it goes on to the app, and a 2xx answer uses the code up.
    /// </summary>
    public const string VerifyPolicyName = "SmsVerifyPolicy";

    /// <summary>
    /// The route metadata key that makes a route the gate's own verify endpoint: the gate compares the code itself,
    /// in the store, and answers; nothing is forwarded.
    /// </summary>
    public const string VerifyEndpointName = "SmsVerifyEndpoint";

    /// <summary>
    /// The route metadata key that says where this route's mobile comes from, over the policy's <c>MobileFrom</c>:
    /// one policy (one set of keys) can serve a send route with the mobile in the path and a verify route that
    /// posts it, e.g. <c>"SmsMobileFrom": "Body:mobile"</c>.
    /// </summary>
    public const string MobileFromName = "SmsMobileFrom";

    /// <summary>
    /// The cluster metadata key that marks a cluster fronting an SMS provider, <c>"Metadata": { "SmsProvider": "true" }</c>.
    /// Only gated routes may reach such a cluster (send routes and verify endpoints); start-up refuses any other route to it.
    /// </summary>
    public const string ProviderClusterName = "SmsProvider";

    /// <summary>
    /// The route metadata key that lets a send route use a cluster not marked <see cref="ProviderClusterName"/>, with the
    /// value <see cref="ProviderUnmarkedAllow"/>; without it, start-up refuses such a route.
    /// </summary>
    public const string ProviderUnmarkedName = "SmsProviderUnmarked";

    /// <summary>The one value of <see cref="ProviderUnmarkedName"/>.</summary>
    public const string ProviderUnmarkedAllow = "allow";

    /// <summary>The route value that holds the mobile by default, e.g. <c>"Path": "/sms_codes/{mobile}/"</c>.</summary>
    public const string MobileRouteValue = "mobile";

    /// <summary>The metadata keys that put a route under the gate, one per role.</summary>
    internal static readonly string[] Roles = [PolicyName, VerifyPolicyName, VerifyEndpointName];

    /// <summary>True when the metadata puts the route under the gate in any of its roles.</summary>
    public static bool IsGated(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null
        && (metadata.ContainsKey(PolicyName) || metadata.ContainsKey(VerifyPolicyName) || metadata.ContainsKey(VerifyEndpointName));

    /// <summary>True when a cluster's metadata marks it as fronting an SMS provider (<see cref="ProviderClusterName"/> is <c>true</c>).</summary>
    internal static bool IsProviderCluster(IReadOnlyDictionary<string, string>? metadata) =>
        metadata?.TryGetValue(ProviderClusterName, out var mark) == true && bool.TryParse(mark, out var marked) && marked;
}
