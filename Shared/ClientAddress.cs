using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Gateway.Shared;

/// <summary>
/// The client's address as the gate's per-IP cap and the host's client rate limiter count it: the connection's
/// address, which behind a trusted proxy is what the forwarded-headers middleware accepted from it. An IPv6 address
/// is cut to its network prefix (<c>2001:db8:1:2::/64</c>), so that one host cannot rotate through the addresses of
/// its own network; an IPv4-mapped IPv6 address counts as the IPv4 address.
/// </summary>
/// <remarks>
/// Shared source, compiled into the library and into the host (as ASP.NET Core shares <c>src/Shared/</c>): the two
/// key clients alike without the host's limiter reaching into the gate, and without a public type for it.
/// </remarks>
internal static class ClientAddress
{
    public const int DefaultIpv6PrefixLength = 64;

    public static string Of(HttpContext context, int ipv6PrefixLength = DefaultIpv6PrefixLength) =>
        Of(context.Connection.RemoteIpAddress, ipv6PrefixLength);

    public static string Of(IPAddress? address, int ipv6PrefixLength)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || ipv6PrefixLength >= 128)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        var keep = ipv6PrefixLength;
        for (var i = 0; i < bytes.Length; i++, keep -= 8)
        {
            bytes[i] &= keep >= 8 ? (byte)0xFF : keep <= 0 ? (byte)0 : (byte)(0xFF << (8 - keep));
        }

        return string.Concat(new IPAddress(bytes).ToString(), "/", ipv6PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
