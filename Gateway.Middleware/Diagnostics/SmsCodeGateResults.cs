namespace Gateway.Middleware.Diagnostics;

/// <summary>
/// The values of the <c>sms_code_gate.result</c> tag on <c>sms_code_gate.requests</c>: one per way out of the gate,
/// each request counted under exactly one.
/// </summary>
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

    /// <summary>
    /// The client went away before its answer: while its body was read, while its repeat waited for the first send,
    /// or while the SMS was being forwarded (the code is kept: the provider may have sent it).
    /// </summary>
    public const string ClientAborted = "client_aborted";

    /// <summary>
    /// An exception ended the request; <c>error.type</c> names it. The host answers 500, or Kestrel its own status
    /// for a request body it refused.
    /// </summary>
    public const string Error = "error";

    /// <summary>The route names a policy that is not configured (500).</summary>
    public const string PolicyMissing = "policy_missing";

    /// <summary>The policy cannot run on this store (a Redis Cluster check failed once the topology was known) (503).</summary>
    public const string PolicyRejected = "policy_rejected";

    /// <summary>The request body is over the policy's <c>MaxBodySize</c> (413).</summary>
    public const string BodyTooLarge = "body_too_large";

    /// <summary>
    /// The request declares a charset other than UTF-8 or US-ASCII, or its body is not UTF-8, on a route that reads the
    /// mobile or the code from the body or the query (415): the app would decode it another way than the gate.
    /// </summary>
    public const string UnsupportedCharset = "unsupported_charset";

    /// <summary>
    /// The request's <c>Content-Type</c> cannot be read exactly as the app reads it (twice, a wildcard, unparsable), is
    /// not form or JSON, or the body is encoded, on a route that reads the mobile or the code from the body or query (415).
    /// </summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>Verify endpoint: the code was right and is used up (200).</summary>
    public const string Verified = "verified";

    /// <summary>Verify endpoint: the code was wrong (400).</summary>
    public const string VerifyWrong = "verify_wrong";

    /// <summary>
    /// Verify endpoint or route: no code is stored for the mobile; nothing is counted or written, and nothing reaches
    /// the app (400: the endpoint's wrong-code answer, the route's <c>VerifyNoCode</c> answer).
    /// </summary>
    public const string VerifyNoCode = "verify_no_code";

    /// <summary>Verify endpoint or route: the code's attempts are spent; the code is deleted (429).</summary>
    public const string VerifyOverLimit = "verify_over_limit";

    /// <summary>Verify endpoint or route: the mobile's failed attempts for the day are spent (429).</summary>
    public const string VerifyFailuresPerDay = "verify_failures_per_day";

    /// <summary>
    /// Verify endpoint or route: another attempt at the same code is at the legacy app; this one is refused uncounted
    /// (429, <c>Retry-After: 1</c>).
    /// </summary>
    public const string VerifyInFlight = "verify_in_flight";

    /// <summary>Verify route: the attempt was counted and went on to the legacy app, which accepted the code (it is used up).</summary>
    public const string VerifyAppAccepted = "verify_app_accepted";

    /// <summary>
    /// Verify route: the attempt was counted and went on to the legacy app, which refused it (or answered in a way that
    /// <c>VerifySuccessWhen</c> does not call success, or not within <c>VerifyTimeout</c>); the code is let go.
    /// </summary>
    public const string VerifyAppRefused = "verify_app_refused";

    /// <summary>A repeat with the same <c>Idempotency-Key</c> within the send interval: the first answer again, no SMS.</summary>
    public const string Repeated = "repeated";

    /// <summary>
    /// Send route: a number rule refuses the number (its region, a denied prefix or type); nothing reaches the store or
    /// the provider (403).
    /// </summary>
    public const string NumberRefused = "number_refused";

    /// <summary>Send route: a number rule in <c>Shadow</c> mode would have refused the number; it was let through.</summary>
    public const string ShadowNumberRefused = "shadow_number_refused";

    /// <summary>
    /// Send route: the mobile's number block is blocked by the conversion guard (its codes are sent, not verified),
    /// and the mobile has not verified before; nothing reaches the provider (403).
    /// </summary>
    public const string BlockRefused = "block_refused";

    /// <summary>Send route: the mobile's number block reached <c>Blocks:MaxPerHour</c>; nothing reaches the provider (403).</summary>
    public const string BlockCapRefused = "block_cap_refused";

    /// <summary>Send route: a block rule in <c>Shadow</c> mode would have refused the send; it was let through.</summary>
    public const string ShadowBlockRefused = "shadow_block_refused";
}
