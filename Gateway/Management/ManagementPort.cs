using System.Globalization;

namespace Gateway.Management;

/// <summary>
/// The operators' port (<c>Management:Port</c>): the gateway also listens on it, on loopback only, and serves the
/// management endpoints (number blocks) on connections that arrived there alone. Every other port answers them 404,
/// whatever the request's Host header says: they never go through the public route table.
/// </summary>
internal static class ManagementPort
{
    public const string Key = "Management:Port";

    /// <summary>Kestrel's own endpoints (<c>Kestrel:Endpoints:NAME:Url</c>), which replace the URL list when any is set.</summary>
    private const string KestrelEndpointsKey = "Kestrel:Endpoints";

    /// <summary>The name of the management port among Kestrel's endpoints.</summary>
    private const string EndpointName = "SmsCodeGateManagement";

    /// <summary>What Kestrel listens on when no URL is configured.</summary>
    private const string DefaultUrls = "http://localhost:5000";

    /// <summary>Adds the port to the URLs the host listens on; null when <c>Management:Port</c> is not set.</summary>
    public static int? Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var value = builder.Configuration[Key];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"{Key} must be a TCP port, 1 to 65535 (was '{value}').");
        }

        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        if (builder.Configuration.GetSection(KestrelEndpointsKey).GetChildren().Any())
        {
            // Kestrel binds its configured endpoints instead of the URL list ("Overriding address(es)"), which would
            // drop the port without a word: it goes among the endpoints (e.g. beside a Unix socket's).
            builder.Configuration.AddInMemoryCollection([new($"{KestrelEndpointsKey}:{EndpointName}:Url", url)]);
            return port;
        }

        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured ? configured : DefaultUrls;
        builder.WebHost.UseUrls($"{urls};{url}");
        return port;
    }

    /// <summary>Maps the management endpoints, answered only on <paramref name="port"/>.</summary>
    public static void MapManagement(this WebApplication app, int port)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapSmsCodeBlocks().AddEndpointFilter((context, next) => context.HttpContext.Connection.LocalPort == port
            ? next(context)
            : ValueTask.FromResult<object?>(Results.Json(new NotFound("Not found."), statusCode: StatusCodes.Status404NotFound)));
    }

    private sealed record NotFound([property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message);
}
