using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Middleware.Store.Redis.Sentinel;

/// <summary>Endpoint identity: the endpoints sentinels name, by address or by host name, and whether two name one server.</summary>
internal static class SentinelEndPoints
{
    /// <summary>The endpoint a sentinel names by <paramref name="host"/> (an address or a host name) and <paramref name="port"/>; null if neither.</summary>
    public static EndPoint? Parse(string host, string port)
    {
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is 0 or > IPEndPoint.MaxPort)
        {
            return null;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, number);
        }

        return Uri.CheckHostName(host) == UriHostNameType.Dns ? new DnsEndPoint(host, number) : null;
    }

    /// <summary>
    /// Whether two sentinel answers name the same server: the same address, the same host name (in any case), or a
    /// host name that resolves to the address, so that a master named both ways is not switched to again.
    /// </summary>
    public static async Task<bool> SameServerAsync(EndPoint left, EndPoint right, CancellationToken cancellationToken)
    {
        switch (Normalize(left), Normalize(right))
        {
            case (IPEndPoint a, IPEndPoint b):
                return a.Equals(b);
            case (DnsEndPoint a, DnsEndPoint b):
                return a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);
            case (DnsEndPoint name, IPEndPoint address):
                return await ResolvesToAsync(name, address, cancellationToken).ConfigureAwait(false);
            case (IPEndPoint address, DnsEndPoint name):
                return await ResolvesToAsync(name, address, cancellationToken).ConfigureAwait(false);
            case var (a, b):
                return a.Equals(b);
        }

        static EndPoint Normalize(EndPoint endPoint) =>
            endPoint is DnsEndPoint dns && IPAddress.TryParse(dns.Host, out var address) ? new IPEndPoint(address, dns.Port) : endPoint;

        static async Task<bool> ResolvesToAsync(DnsEndPoint name, IPEndPoint address, CancellationToken cancellationToken)
        {
            if (name.Port != address.Port)
            {
                return false;
            }

            try
            {
                var addresses = await Dns.GetHostAddressesAsync(name.Host, cancellationToken).ConfigureAwait(false);
                return Array.IndexOf(addresses, address.Address) >= 0;
            }
            catch (SocketException)
            {
                // Unresolvable now: treat as another server; connecting to it will fail and be logged.
                return false;
            }
        }
    }

    /// <summary>Whether two endpoints are spelled alike (a host name in any case), without resolving anything.</summary>
    public static bool SameSpelling(EndPoint left, EndPoint right) => (left, right) switch
    {
        (DnsEndPoint a, DnsEndPoint b) => a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase),
        var (a, b) => a.Equals(b),
    };

    /// <summary>An endpoint for logs: <c>host:port</c> for a host name.</summary>
    public static string Describe(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port.ToString(CultureInfo.InvariantCulture)}",
        _ => endPoint.ToString() ?? "?",
    };
}
