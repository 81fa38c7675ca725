using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Gateway.TrustedProxies;

/// <summary>
/// Configures the forwarded-headers middleware from <see cref="TrustedProxiesOptions"/> only: the framework's
/// default trust of loopback is dropped, so that a header sent from an unlisted address changes nothing. With both
/// lists empty no forwarded header is read at all: the middleware checks the sender only when a list has an entry,
/// and would otherwise take <c>X-Forwarded-For</c> from anyone. The middleware also trusts any connection without an
/// address (a Unix socket's) for the first hop: <see cref="TrustedForwardedHeaders"/> decides which connections it sees.
/// </summary>
internal sealed class TrustedProxiesSetup : IConfigureOptions<ForwardedHeadersOptions>
{
    private readonly TrustedProxiesOptions _trusted;

    public TrustedProxiesSetup(IOptions<TrustedProxiesOptions> trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        _trusted = trusted.Value;
    }

    public void Configure(ForwardedHeadersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ForwardedHeaders = _trusted.HasKnownAddresses || _trusted.TrustUnixSocket
            ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
            : ForwardedHeaders.None;
        if (_trusted.TrustUnixSocket && !_trusted.HasKnownAddresses && _trusted.ForwardLimit > 1)
        {
            // With no list the middleware checks no hop: every hop past the socket's would be believed.
            throw new InvalidOperationException(
                $"{TrustedProxiesOptions.SectionName}:{nameof(_trusted.ForwardLimit)} above 1 with {nameof(_trusted.TrustUnixSocket)} needs " +
                $"the proxies behind the socket's peer in {nameof(_trusted.KnownProxies)} or {nameof(_trusted.KnownNetworks)} (was {_trusted.ForwardLimit}).");
        }

        options.ForwardLimit = _trusted.ForwardLimit;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        for (var i = 0; i < _trusted.KnownProxies.Count; i++)
        {
            options.KnownProxies.Add(IPAddress.TryParse(_trusted.KnownProxies[i], out var address)
                ? address
                : throw Invalid($"{nameof(_trusted.KnownProxies)}:{i}", _trusted.KnownProxies[i], "an IP address"));
        }

        for (var i = 0; i < _trusted.KnownNetworks.Count; i++)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(_trusted.KnownNetworks[i], out var network)
                ? network
                : throw Invalid($"{nameof(_trusted.KnownNetworks)}:{i}", _trusted.KnownNetworks[i], "a network in CIDR notation"));
        }
    }

    private static InvalidOperationException Invalid(string key, string value, string expected) =>
        new($"{TrustedProxiesOptions.SectionName}:{key} must be {expected} (was '{value}').");
}
