using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Gate;

/// <summary>
/// The client's IP as the gate and the client rate limiter both count it: the connection's address, which behind a
/// proxy is what the forwarded-headers middleware accepted from a trusted proxy.
/// </summary>
internal static class ClientAddress
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
