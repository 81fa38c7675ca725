namespace Gateway.Middleware.Configuration;

/// <summary>A check of compiled policies against the store they will run on (Redis Cluster's hash slots, say).</summary>
internal interface ISmsCodePolicyCheck
{
    /// <summary>What is wrong with <paramref name="policy"/>, each failure naming its configuration key; empty when nothing is.</summary>
    IEnumerable<string> Check(SmsCodePolicy policy);
}
