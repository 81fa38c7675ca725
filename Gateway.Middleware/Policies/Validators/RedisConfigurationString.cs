using System.Globalization;
using System.Net;

namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// Checks a StackExchange.Redis configuration string the way an operator reads it: each comma-separated part is an
/// endpoint (<c>host</c>, <c>host:port</c>, <c>[::1]:port</c>) or an option (<c>name=value</c>). StackExchange.Redis
/// skips a part that is neither, and then fails at connect time with "No endpoints specified", naming nothing.
/// A part may also be a Unix socket (<see cref="RedisUnixSocket"/>), when it is the only server.
/// </summary>
internal static class RedisConfigurationString
{
    /// <summary>What is wrong with <paramref name="value"/>, each naming <paramref name="key"/> and the bad part.</summary>
    public static IEnumerable<string> Validate(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var endpoints = 0;
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            if (!RedisUnixSocket.IsSocket(part) && !IsEndpoint(part))
            {
                yield return $"{key}: '{part}' is not an endpoint (host, host:port or [IPv6]:port, port 1-65535) nor an option (name=value).";
                yield break;
            }

            endpoints++;
        }

        if (endpoints == 0)
        {
            yield return $"{key} names no endpoint: start it with host:port, e.g. 127.0.0.1:6379.";
            yield break;
        }

        string? error = null;
        try
        {
            error = RedisUnixSocket.Problem(StackExchange.Redis.ConfigurationOptions.Parse(RedisUnixSocket.Normalize(value)), key);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
        {
            error = $"{key} is not a valid StackExchange.Redis configuration string: {ex.Message}";
        }

        if (error is not null)
        {
            yield return error;
        }
    }

    private static bool IsEndpoint(string part)
    {
        if (!part.Contains(']', StringComparison.Ordinal) && IPAddress.TryParse(part, out _))
        {
            return true; // an IPv4 address, or a bare IPv6 one (which cannot carry a port)
        }

        var colon = part.LastIndexOf(':');
        var host = colon < 0 ? part : part[..colon];
        if (colon >= 0 && !(int.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535))
        {
            return false;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IPAddress.TryParse(host[1..^1], out _);
        }

        return Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4;
    }
}
