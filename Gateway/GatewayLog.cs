namespace Gateway;

/// <summary>The host's own log events.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(1, LogLevel.Information, "Gateway configuration file: {ConfigFile}", EventName = "ConfigFile")]
    public static partial void ConfigFile(ILogger logger, string configFile);
}
