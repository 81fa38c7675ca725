using Gateway;
using Gateway.TrustedProxies;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The forwarded-headers middleware, run only for connections that may carry a trusted proxy's headers. ASP.NET Core
/// takes the first hop of <c>X-Forwarded-For</c> from any connection without an address (a Unix socket's), whatever
/// <c>KnownProxies</c> lists; here such a connection's headers are read only with <c>ForwardedHeaders:TrustUnixSocket</c>,
/// and a connection with an address only when an address or a network is listed. Otherwise the request keeps the
/// connection's address, or none (counted as <c>unknown</c>): never one the client wrote.
/// </summary>
internal static class TrustedForwardedHeaders
{
    private const string UnixSocketUrlPrefix = "http://unix:";

    public static IApplicationBuilder UseTrustedForwardedHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var trusted = app.Services.GetRequiredService<IOptions<TrustedProxiesOptions>>().Value;
        var fromAddresses = trusted.HasKnownAddresses;
        var fromUnixSocket = trusted.TrustUnixSocket;
        if (!fromUnixSocket)
        {
            app.Lifetime.ApplicationStarted.Register(() => WarnOfUntrustedUnixSockets(app));
        }

        if (!fromAddresses && !fromUnixSocket)
        {
            return app; // nothing to read from anyone
        }

        return app.UseWhen(
            context => context.Connection.RemoteIpAddress is null ? fromUnixSocket : fromAddresses,
            branch => branch.UseForwardedHeaders());
    }

    private static void WarnOfUntrustedUnixSockets(WebApplication app)
    {
        var addresses = app.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses.Where(static a => a.StartsWith(UnixSocketUrlPrefix, StringComparison.OrdinalIgnoreCase)))
        {
            GatewayLog.UntrustedUnixSocket(app.Logger, address);
        }
    }
}
