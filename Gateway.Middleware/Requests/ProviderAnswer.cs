

namespace Gateway.Middleware.Requests;

/// <summary>The provider's answer to one forward of a send: its status, and whether <c>Provider:SuccessWhen</c> rejected a 2xx.</summary>
internal readonly record struct ProviderAnswer(int StatusCode, bool Rejected)
{
    /// <summary>A 2xx that the policy's <c>SuccessWhen</c>, if any, accepts: the SMS went out.</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300 && !Rejected;
}
