using Gateway.Middleware.Configuration;
using Gateway.Middleware.Store;

namespace Gateway.Middleware.Send;

/// <summary>
/// The request feature that carries an issued code from the gate to the transforms and back: the request
/// transform attaches the code, the response transform records the provider's status.
/// </summary>
internal sealed class SmsCodeIssue
{
    public SmsCodeIssue(SmsCodePolicy policy, string mobile, SmsCodeIssueRequest storeRequest, long issuedAt)
    {
        Policy = policy;
        Mobile = mobile;
        StoreRequest = storeRequest;
        IssuedAt = issuedAt;
    }

    public SmsCodePolicy Policy { get; }

    public string Mobile { get; }

    public SmsCodeIssueRequest StoreRequest { get; }

    /// <summary>The timestamp, from the gate's <see cref="TimeProvider"/>, taken before the issue call.</summary>
    public long IssuedAt { get; }

    /// <summary>The provider's status code once its answer arrived; null when it did not answer.</summary>
    public int? ProviderStatusCode { get; set; }

    /// <summary>True once the send was retried on another destination; it is retried once at most.</summary>
    public bool Retried { get; set; }

    /// <summary>True when a 2xx answer failed the policy's <c>Provider:SuccessWhen</c>: a failed send inside a 200.</summary>
    public bool ProviderRejected { get; set; }

    public bool ProviderSucceeded => ProviderStatusCode is >= 200 and < 300 && !ProviderRejected;
}
