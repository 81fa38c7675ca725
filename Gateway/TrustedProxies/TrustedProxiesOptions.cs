namespace Gateway.TrustedProxies;

/// <summary>
/// Which proxies may set the client IP through <c>X-Forwarded-For</c>, bound from the <c>ForwardedHeaders</c>
/// section. With none listed, forwarded headers are ignored and the client IP is the connection's.
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

    /// <summary>Writes which proxies are trusted, or that none is, to the start-up log.</summary>
    public void LogTo(ILogger logger)
    {
        if (KnownProxies.Count == 0 && KnownNetworks.Count == 0)
        {
            GatewayLog.NoTrustedProxies(logger);
            return;
        }

        GatewayLog.TrustedProxies(logger, KnownProxies.Count == 0 ? "none" : string.Join(", ", KnownProxies),
            KnownNetworks.Count == 0 ? "none" : string.Join(", ", KnownNetworks), ForwardLimit);
    }
}
