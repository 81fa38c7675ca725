namespace Gateway.TrustedProxies;

/// <summary>
/// Which proxies may set the client IP through <c>X-Forwarded-For</c>, bound from the <c>ForwardedHeaders</c>
/// section. With none listed, forwarded headers are ignored and the client IP is the connection's. A connection over
/// a Unix socket has no address to list: its headers are read only when <see cref="TrustUnixSocket"/> says so.
/// </summary>
internal sealed class TrustedProxiesOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, e.g. <c>["127.0.0.1"]</c> for nginx on the same host.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. <c>["10.0.0.0/8"]</c>.</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>How many proxy hops to read back from the right of <c>X-Forwarded-For</c>. Default 1.</summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary>
    /// Whether a peer on one of the gateway's Unix sockets (nginx on <c>http://unix:/run/...sock</c>) is a trusted
    /// proxy. Default false: a request over a Unix socket then keeps no client IP (it counts as <c>unknown</c>, one
    /// client for every per-IP limit), whatever its <c>X-Forwarded-For</c> says. Set it only when the socket's
    /// permissions let the proxy alone connect.
    /// </summary>
    public bool TrustUnixSocket { get; set; }

    /// <summary>True when an address or a network is listed.</summary>
    public bool HasKnownAddresses => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    /// <summary>Writes which proxies are trusted, or that none is, to the start-up log.</summary>
    public void LogTo(ILogger logger)
    {
        if (TrustUnixSocket)
        {
            GatewayLog.TrustedUnixSocket(logger);
        }

        if (!HasKnownAddresses)
        {
            if (!TrustUnixSocket)
            {
                GatewayLog.NoTrustedProxies(logger);
            }

            return;
        }

        GatewayLog.TrustedProxies(logger, KnownProxies.Count == 0 ? "none" : string.Join(", ", KnownProxies),
            KnownNetworks.Count == 0 ? "none" : string.Join(", ", KnownNetworks), ForwardLimit);
    }
}
