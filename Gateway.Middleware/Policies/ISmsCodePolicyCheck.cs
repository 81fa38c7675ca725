namespace Gateway.Middleware.Policies;

/// <summary>A check of compiled policies against the store they will run on (Redis Cluster's hash slots, say).</summary>
internal interface ISmsCodePolicyCheck
{
    /// <summary>
    /// False while the check cannot tell yet (the store's topology is unknown: Redis was unreachable at start-up).
    /// The registry runs it again once it is ready, and the policies it then fails are answered 503.
    /// </summary>
    bool IsReady { get; }

    /// <summary>What is wrong with <paramref name="policy"/>, each failure naming its configuration key; empty when nothing is.</summary>
    IEnumerable<string> Check(SmsCodePolicy policy);
}
