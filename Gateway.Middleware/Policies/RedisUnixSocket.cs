using System.Net.Sockets;
using StackExchange.Redis;

namespace Gateway.Middleware.Policies;

/// <summary>
/// A Redis server on a Unix socket in <c>SmsCodeGate:Redis</c>. StackExchange.Redis reads one written <c>!/path</c>;
/// the gate also takes <c>unix:/path</c> (as nginx and lua-resty-redis write it) and a bare absolute path, which the
/// library would otherwise take for a host name. A socket is one server on this host: beside other endpoints, or as
/// sentinels (<c>serviceName=</c>), it is refused at start-up.
/// </summary>
internal static class RedisUnixSocket
{
    private const string UnixScheme = "unix:";
    private const char LibraryPrefix = '!';

    /// <summary>Whether one comma-separated part of a configuration string names a Unix socket.</summary>
    public static bool IsSocket(string part)
    {
        ArgumentNullException.ThrowIfNull(part);
        return part.StartsWith(UnixScheme + "/", StringComparison.OrdinalIgnoreCase) || part.StartsWith('/') || part.StartsWith(LibraryPrefix);
    }

    /// <summary>The configuration string with every <c>unix:/path</c> or <c>/path</c> endpoint written <c>!/path</c>.</summary>
    public static string Normalize(string configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var parts = configuration.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            if (part.StartsWith(UnixScheme + "/", StringComparison.OrdinalIgnoreCase))
            {
                parts[i] = LibraryPrefix + part[UnixScheme.Length..];
            }
            else if (part.StartsWith('/'))
            {
                parts[i] = LibraryPrefix + part;
            }
        }

        return string.Join(',', parts);
    }

    /// <summary>
    /// What is wrong with the Unix socket among <paramref name="options"/>' endpoints, naming <paramref name="key"/>: not
    /// an absolute path, or not the only server. Null when there is none or it is fine.
    /// </summary>
    public static string? Problem(ConfigurationOptions options, string key)
    {
        ArgumentNullException.ThrowIfNull(options);
        var socket = options.EndPoints.OfType<UnixDomainSocketEndPoint>().FirstOrDefault();
        if (socket is null)
        {
            return null;
        }

        var path = socket.ToString();
        if (!Path.IsPathRooted(path))
        {
            return $"{key}: a Unix socket must be an absolute path, e.g. unix:/run/redis/redis-server.sock (was '{path}').";
        }

        if (!string.IsNullOrEmpty(options.ServiceName))
        {
            return $"{key}: sentinels (serviceName=) cannot be reached over a Unix socket ('{path}'): list them as host:port.";
        }

        return options.EndPoints.Count > 1
            ? $"{key}: a Unix socket ('{path}') must be the only endpoint: it names one server on this host, not a list or a cluster."
            : null;
    }
}
