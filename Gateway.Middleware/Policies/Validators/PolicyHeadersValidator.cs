namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// Checks the headers a policy puts on the provider request: the code header, the client headers it passes on
/// (never the code header), and the provider's static headers. The provider's templates are the send room's to check.
/// </summary>
internal sealed class PolicyHeadersValidator : ISmsCodePolicyValidator
{
    // Headers the forwarder sets itself (Host, the framing) or strips as hop-by-hop: a code put there is dropped,
    // overwritten, or turns the provider request into a malformed one; the provider is sent no code either way.
    private static readonly HashSet<string> ProxyOwned = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Content-Length", "Expect",
    };

    public void Validate(string key, SmsCodePolicyOptions policy, IList<string> failures)
    {
        if (string.IsNullOrWhiteSpace(policy.CodeHeader) || !Require.IsHeaderName(policy.CodeHeader))
        {
            failures.Add($"{key}:{nameof(policy.CodeHeader)} must be a valid HTTP header name (was '{policy.CodeHeader}').");
        }
        else if (ProxyOwned.Contains(policy.CodeHeader))
        {
            failures.Add($"{key}:{nameof(policy.CodeHeader)} '{policy.CodeHeader}' is a header the proxy itself sets or drops; the provider would get no code. Use a header of its own, such as X-Sms-Code.");
        }

        if (policy.Provider is { } provider)
        {
            foreach (var (header, value) in provider.Headers)
            {
                if (!Require.IsHeaderName(header) || value.Any(c => c is '\r' or '\n'))
                {
                    failures.Add($"{key}:{nameof(policy.Provider)}:{nameof(provider.Headers)}:{header} must be a header name with a single-line value.");
                }
            }
        }

        for (var i = 0; i < policy.ProviderRequestHeaders.Count; i++)
        {
            var header = policy.ProviderRequestHeaders[i];
            if (string.IsNullOrWhiteSpace(header) || !Require.IsHeaderName(header))
            {
                failures.Add($"{key}:{nameof(policy.ProviderRequestHeaders)}:{i} must be a valid HTTP header name (was '{header}').");
            }
            else if (string.Equals(header, policy.CodeHeader, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{key}:{nameof(policy.ProviderRequestHeaders)}:{i} names the code header '{header}', which only the gate may set.");
            }
        }
    }
}
