using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Common;

/// <summary>
/// Loopback ports that nothing listens on at the moment of asking, for processes that cannot bind port 0 and report
/// the port (redis-server). Another process may take the port before it is bound: use it only behind a retry on
/// another port (<see cref="RedisProcess.StartOnFreePortAsync"/>). Kestrel hosts bind port 0 instead, and a test that
/// needs a destination that refuses connections uses <see cref="RefusingAddress"/>.
/// </summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
