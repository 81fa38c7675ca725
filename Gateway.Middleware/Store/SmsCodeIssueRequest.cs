namespace Gateway.Middleware.Store;

/// <summary>
/// What one issue call writes. A plain struct rather than a record so that no generated <c>ToString</c>
/// can ever print the code.
/// </summary>
internal readonly struct SmsCodeIssueRequest
{
    public SmsCodeIssueRequest(
        int database, string sendFlagKey, string codeKey, string codeStateKey, string code, string nonce,
        long sendIntervalMilliseconds, long codeLifetimeMilliseconds)
    {
        Database = database;
        SendFlagKey = sendFlagKey;
        CodeKey = codeKey;
        CodeStateKey = codeStateKey;
        Code = code;
        Nonce = nonce;
        SendIntervalMilliseconds = sendIntervalMilliseconds;
        CodeLifetimeMilliseconds = codeLifetimeMilliseconds;
    }

    public int Database { get; }

    public string SendFlagKey { get; }

    public string CodeKey { get; }

    /// <summary>The hash beside the code that records which request issued it.</summary>
    public string CodeStateKey { get; }

    public string Code { get; }

    /// <summary>Unique to this request: a revoke deletes the flag and code only while the code state still holds it.</summary>
    public string Nonce { get; }

    public long SendIntervalMilliseconds { get; }

    public long CodeLifetimeMilliseconds { get; }

    /// <summary>Sends of this mobile in the hour window.</summary>
    public SmsCodeCounter PerHour { get; init; }

    /// <summary>Sends of this mobile in the day window.</summary>
    public SmsCodeCounter PerDay { get; init; }

    /// <summary>Sends from this client IP in the hour window.</summary>
    public SmsCodeCounter PerIpPerHour { get; init; }

    /// <summary>Sends of this policy in the minute window (the spend guard).</summary>
    public SmsCodeCounter SendsPerMinute { get; init; }

    /// <summary>The audit stream entry, when the policy keeps an audit trail.</summary>
    public SmsCodeAudit Audit { get; init; }

    /// <summary>The mobile's number block, when the policy has blocks.</summary>
    public SmsCodeBlock Block { get; init; }

    /// <summary>
    /// Redis Cluster only: the mobile's remembered key, for the mobile's own script to read while the number block is
    /// checked in its own hash slot (set by the Redis store, never by a handler).
    /// </summary>
    public string? RememberedKey { get; init; }

    /// <summary>True when any cap is on, so that the call counts sends.</summary>
    public bool CountsAny => PerHour.IsOn || PerDay.IsOn || PerIpPerHour.IsOn || SendsPerMinute.IsOn;
}
