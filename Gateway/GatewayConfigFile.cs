namespace Gateway;

/// <summary>The configuration file the gateway reads, and whether the operator named it (<c>--config</c>, <c>GATEWAY_CONFIG</c>).</summary>
internal sealed record GatewayConfigFile(string Path, bool Named)
{
    /// <summary>Logs the file; warns when it was found by default, as the shipped demo <c>yarp.json</c> would be.</summary>
    public void LogTo(ILogger logger)
    {
        GatewayLog.ConfigFile(logger, Path);
        if (!Named)
        {
            GatewayLog.DefaultConfigFile(logger, Path);
        }
    }
}
