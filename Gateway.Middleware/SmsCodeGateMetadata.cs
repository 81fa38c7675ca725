namespace Gateway.Middleware;

/// <summary>Names of the YARP route metadata keys the gate reads.</summary>
public static class SmsCodeGateMetadata
{
    /// <summary>The route metadata key that names the gate policy, e.g. <c>"Metadata": { "SmsCodePolicy": "default" }</c>.</summary>
    public const string PolicyName = "SmsCodePolicy";

    /// <summary>The route value that holds the mobile, e.g. <c>"Path": "/sms_codes/{mobile}/"</c>.</summary>
    public const string MobileRouteValue = "mobile";
}
