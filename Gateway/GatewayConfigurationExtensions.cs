using Microsoft.Extensions.FileProviders;

namespace Gateway;

/// <summary>Loads the gateway's JSON file (routes, clusters, gate policies) with the usual overrides on top.</summary>
internal static class GatewayConfigurationExtensions
{
    public const string ConfigKey = "config";
    public const string ConfigEnvironmentVariable = "GATEWAY_CONFIG";
    public const string DefaultFileName = "yarp.json";

    /// <summary>
    /// Adds the file named by <c>--config</c>, else by <c>GATEWAY_CONFIG</c>, else <c>yarp.json</c> in the working
    /// directory, else the <c>yarp.json</c> shipped beside the binary. It reloads when it changes; environment
    /// variables and then the command line are added again after it so that they still override the file, in that order.
    /// </summary>
    public static GatewayConfigFile AddGatewayConfigFile(this ConfigurationManager configuration, string[] args)
    {
        var named = configuration[ConfigKey] ?? Environment.GetEnvironmentVariable(ConfigEnvironmentVariable);
        var path = ResolvePath(named);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The gateway configuration file '{path}' does not exist (set with --{ConfigKey} or {ConfigEnvironmentVariable}).", path);
        }

        var provider = new PhysicalFileProvider(Path.GetDirectoryName(path)!);
        configuration.AddJsonFile(provider, Path.GetFileName(path), optional: false, reloadOnChange: true);
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
        return new GatewayConfigFile(path, Named: !string.IsNullOrWhiteSpace(named));
    }

    private static string ResolvePath(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var inWorkingDirectory = Path.GetFullPath(DefaultFileName);
        return File.Exists(inWorkingDirectory) ? inWorkingDirectory : Path.Combine(AppContext.BaseDirectory, DefaultFileName);
    }
}
