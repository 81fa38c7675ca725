using System.Net.Sockets;

namespace Gateway.Tests.Infrastructure;

/// <summary>A Unix socket for a test (a short path: a socket's path is limited to 107 bytes), and an HTTP client to it.</summary>
internal static class UnixSocketHttp
{
    /// <summary>A path for a socket that does not exist yet, in the temp directory.</summary>
    public static string NewSocketPath(string name) =>
        Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid().ToString("N")[..8]}.sock");

    /// <summary>An HTTP client whose every connection goes to the socket at <paramref name="path"/>, as nginx's does.</summary>
    public static HttpClient Client(string path)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };

        // The host name is only what the request's Host header says; the connection goes to the socket.
        return new HttpClient(handler) { BaseAddress = new Uri("http://localhost/"), Timeout = TimeSpan.FromSeconds(30) };
    }
}
