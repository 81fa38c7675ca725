using Gateway.Middleware.Numbers;
using Gateway.Middleware.Policies;
using Gateway.Middleware.Store;
using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Requests;

/// <summary>
/// One gated request, created once by the middleware and kept as a request feature, as OutputCaching's
/// <c>OutputCacheContext</c> is: what the gate learnt about the request (its policy, mobile, code, nonce, attempt) and
/// how it ended (its <see cref="Result"/>, which the middleware counts once). The provider's answer is reported into it
/// by the response transform (<see cref="ReportProviderAnswer"/>); nothing else writes it from outside the gate.
/// </summary>
internal sealed class SmsCodeGateContext
{
    private SmsCodePolicy? _policy;
    private SmsCodeIssueRequest? _issue;

    public SmsCodeGateContext(HttpContext httpContext, string policyName, IReadOnlyDictionary<string, string> routeMetadata)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(policyName);
        ArgumentNullException.ThrowIfNull(routeMetadata);
        HttpContext = httpContext;
        PolicyName = policyName;
        RouteMetadata = routeMetadata;
    }

    public HttpContext HttpContext { get; }

    /// <summary>The policy the route names, as its metadata spells it until the policy is found, then the policy's name.</summary>
    public string PolicyName { get; private set; }

    /// <summary>The route's metadata, the gate's keys included.</summary>
    public IReadOnlyDictionary<string, string> RouteMetadata { get; }

    /// <summary>The route's policy; set once found (<see cref="HasPolicy"/>).</summary>
    public SmsCodePolicy Policy
    {
        get => _policy ?? throw new InvalidOperationException("The request's policy is not known yet.");
        set
        {
            _policy = value;
            PolicyName = value.Name;
        }
    }

    public bool HasPolicy => _policy is not null;

    /// <summary>The canonical mobile, once read and validated.</summary>
    public string Mobile { get; set; } = string.Empty;

    /// <summary>A send's store call, with its code and nonce, once the code is issued (<see cref="IsIssued"/>).</summary>
    public SmsCodeIssueRequest Issue
    {
        get => _issue ?? throw new InvalidOperationException("No code is issued for this request.");
        set => _issue = value;
    }

    /// <summary>True once the store issued a code for this send.</summary>
    public bool IsIssued => _issue is not null;

    /// <summary>The issued code.</summary>
    public string Code => Issue.Code;

    /// <summary>The issued code's nonce: who owns it in the store.</summary>
    public string Nonce => Issue.Nonce;

    /// <summary>When the code was issued, from the gate's <see cref="TimeProvider"/>, taken before the store call.</summary>
    public long IssuedAt { get; set; }

    /// <summary>A legacy verify route's attempt nonce, once counted.</summary>
    public string? Attempt { get; set; }

    /// <summary>The mobile read as a phone number, once the send's number check has read it; null when the policy reads no numbers.</summary>
    public PhoneNumberReading? Number { get; set; }

    /// <summary>The provider's answer to the latest attempt of a send, as the response transform reported it; null without one.</summary>
    public ProviderAnswer? ProviderAnswer { get; private set; }

    /// <summary>How the request ended (<see cref="Diagnostics.SmsCodeGateResults"/>); null until it is known.</summary>
    public string? Result { get; private set; }

    /// <summary>What failed, for a result that carries <c>error.type</c>.</summary>
    public string? ErrorType { get; private set; }

    /// <summary>The context of a request the gate handles, if this one is.</summary>
    public static SmsCodeGateContext? Of(HttpContext context) => context.Features.Get<SmsCodeGateContext>();

    /// <summary>Records how the request ended: the one result it is counted under.</summary>
    public void Complete(string result, string? errorType = null)
    {
        Result = result;
        ErrorType = errorType;
    }

    /// <summary>The provider answered this attempt (the response transform's report).</summary>
    public void ReportProviderAnswer(ProviderAnswer answer) => ProviderAnswer = answer;

    /// <summary>Forgets the failed attempt's answer before a retry on another destination.</summary>
    public void ForgetProviderAnswer() => ProviderAnswer = null;
}
