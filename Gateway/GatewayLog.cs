namespace Gateway;

/// <summary>The host's own log events, in one place (the library's are in its <c>Diagnostics/EventIds.cs</c>).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(1, LogLevel.Information, "Gateway configuration file: {ConfigFile}", EventName = "ConfigFile")]
    public static partial void ConfigFile(ILogger logger, string configFile);

    [LoggerMessage(4, LogLevel.Warning, "No --config or GATEWAY_CONFIG was given, so the gateway reads {ConfigFile}, found by default: the shipped yarp.json is a demo (its provider and app are on 127.0.0.1). Name your own file with --config <file> or GATEWAY_CONFIG.", EventName = "DefaultConfigFile")]
    public static partial void DefaultConfigFile(ILogger logger, string configFile);

    [LoggerMessage(2, LogLevel.Information, "Trusted proxies: {KnownProxies}; trusted networks: {KnownNetworks}. X-Forwarded-For is read only from these, {ForwardLimit} hop(s) from the right.", EventName = "TrustedProxies")]
    public static partial void TrustedProxies(ILogger logger, string knownProxies, string knownNetworks, int forwardLimit);

    [LoggerMessage(3, LogLevel.Warning, "No trusted proxy is configured (ForwardedHeaders:KnownProxies and KnownNetworks are empty): X-Forwarded-For is ignored and every client is counted by its connection's address. Behind nginx, list nginx's address, e.g. --ForwardedHeaders:KnownProxies:0=127.0.0.1.", EventName = "NoTrustedProxies")]
    public static partial void NoTrustedProxies(ILogger logger);

    [LoggerMessage(5, LogLevel.Information, "Peers on the gateway's Unix sockets are trusted proxies (ForwardedHeaders:TrustUnixSocket): a request over a Unix socket takes its client IP from X-Forwarded-For as one from a listed proxy does.", EventName = "TrustedUnixSocket")]
    public static partial void TrustedUnixSocket(ILogger logger);

    [LoggerMessage(6, LogLevel.Warning, "The gateway listens on {Address} and ForwardedHeaders:TrustUnixSocket is off: X-Forwarded-For is ignored there and every client on it counts as one ('unknown') for the per-IP limits. Behind nginx on this socket, set ForwardedHeaders:TrustUnixSocket=true.", EventName = "UntrustedUnixSocket")]
    public static partial void UntrustedUnixSocket(ILogger logger, string address);

    [LoggerMessage(300, LogLevel.Debug, "Client rate limit reached: client {ClientIp}, {Method}; answered 429.", EventName = "ClientRateLimited")]
    public static partial void ClientRateLimited(ILogger logger, string clientIp, string method);
}
