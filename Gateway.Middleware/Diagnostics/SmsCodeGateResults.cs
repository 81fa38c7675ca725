namespace Gateway.Middleware.Diagnostics;

/// <summary>The values of the <c>sms_code_gate.result</c> tag on <c>sms_code_gate.requests</c>: one per way out of the gate.</summary>
public static class SmsCodeGateResults
{
    /// <summary>The code was stored and the provider accepted the SMS (200).</summary>
    public const string Issued = "issued";

    /// <summary>A code went out within the send interval (400).</summary>
    public const string RefusedInterval = "refused_interval";

    /// <summary>The mobile's hourly cap is reached (400).</summary>
    public const string RefusedHour = "refused_hour";

    /// <summary>The mobile's daily cap is reached (400).</summary>
    public const string RefusedDay = "refused_day";

    /// <summary>The client IP's hourly cap is reached (400).</summary>
    public const string RefusedIp = "refused_ip";

    /// <summary>The policy's sends per minute are spent (503).</summary>
    public const string SpendGuard = "spend_guard";

    /// <summary>The mobile is not canonical or does not match the policy's pattern (404).</summary>
    public const string InvalidMobile = "invalid_mobile";

    /// <summary>A method the gated route does not accept (405).</summary>
    public const string MethodNotAllowed = "method_not_allowed";

    /// <summary>A non-canonical spelling of a gated path, or a control character in a path, on an ungated route (400).</summary>
    public const string PathRefused = "path_refused";

    /// <summary>The store was unreachable, too slow, or failed (503).</summary>
    public const string StoreUnavailable = "store_unavailable";

    /// <summary>The provider refused the connection or answered non-2xx; flag and code revoked (502).</summary>
    public const string ProviderFailed = "provider_failed";

    /// <summary>The provider did not answer in time, or its answer was lost; flag and code kept (504).</summary>
    public const string ProviderTimeout = "provider_timeout";

    /// <summary>The client went away while the SMS was being forwarded; the code is kept.</summary>
    public const string ClientAborted = "client_aborted";

    /// <summary>The route names a policy that is not configured (500).</summary>
    public const string PolicyMissing = "policy_missing";

    /// <summary>The policy cannot run on this store (a Redis Cluster check failed once the topology was known) (503).</summary>
    public const string PolicyRejected = "policy_rejected";
}
