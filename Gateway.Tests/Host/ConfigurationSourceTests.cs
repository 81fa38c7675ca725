using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Host;

/// <summary>
/// Where the gateway's configuration comes from, as the README states it: the file named by <c>--config</c>, else by
/// <c>GATEWAY_CONFIG</c>, else <c>yarp.json</c> in the working directory, else the copy beside the binary; environment
/// variables override the file, and the command line overrides both. Each test starts the built gateway as a process
/// (only a process has its own working directory and environment) and reads which source won from outside: the status
/// of the invalid-mobile answer, which every source sets to a value of its own, and the file the gateway says it read.
/// </summary>
public sealed class ConfigurationSourceTests : IDisposable
{
    private const int FromTheFile = 461;
    private const int FromTheEnvironment = 462;
    private const int FromTheCommandLine = 463;
    private const int InTheArgumentsFile = 471;
    private const int InTheVariablesFile = 472;
    private const int InTheWorkingDirectorysFile = 473;
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-sources-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Setting_InTheFile_IsOverriddenByTheEnvironment_WhichIsOverriddenByTheCommandLine()
    {
        // Three policies, each answering invalid mobiles with 461 in the file: the second overridden by an environment
        // variable, the third by an environment variable and an argument. One process shows the whole order.
        var config = Config(FromTheFile);
        foreach (var policy in new[] { "environment", "command-line" })
        {
            config.Gate["Policies"]![policy] = new JsonObject { ["Answers"] = InvalidMobileAnswer(FromTheFile) };
            config.Root["ReverseProxy"]!["Routes"]![policy] = new JsonObject
            {
                ["ClusterId"] = "sms-provider",
                ["Match"] = new JsonObject { ["Path"] = $"/{policy}/sms_codes/{{mobile}}/", ["Methods"] = new JsonArray("GET") },
                ["Metadata"] = new JsonObject { ["SmsCodePolicy"] = policy },
            };
        }

        var file = config.WriteTo(Path.Combine(_directory, "gateway.json"));
        var environment = new Dictionary<string, string>
        {
            ["SmsCodeGate__Policies__environment__Answers__InvalidMobile__Status"] = Invariant(FromTheEnvironment),
            ["SmsCodeGate__Policies__command-line__Answers__InvalidMobile__Status"] = Invariant(FromTheEnvironment),
        };

        await using var gateway = await GatewayProcess.StartAsync(_directory, environment,
            "--config", file, "--SmsCodeGate:Policies:command-line:Answers:InvalidMobile:Status=" + Invariant(FromTheCommandLine));

        Assert.Equal(FromTheFile, await InvalidMobileStatusAsync(gateway, "/sms_codes/"));
        Assert.Equal(FromTheEnvironment, await InvalidMobileStatusAsync(gateway, "/environment/sms_codes/"));
        Assert.Equal(FromTheCommandLine, await InvalidMobileStatusAsync(gateway, "/command-line/sms_codes/"));
    }

    [Fact]
    public async Task File_NamedByConfigArgument_WinsOverGatewayConfigAndTheWorkingDirectory()
    {
        var argument = Config(InTheArgumentsFile).WriteTo(Path.Combine(_directory, "argument.json"));
        var variable = Config(InTheVariablesFile).WriteTo(Path.Combine(_directory, "variable.json"));
        Config(InTheWorkingDirectorysFile).WriteTo(Path.Combine(_directory, "yarp.json"));

        await using var gateway = await GatewayProcess.StartAsync(_directory,
            new Dictionary<string, string> { [GatewayProcess.ConfigEnvironmentVariable] = variable }, "--config", argument);

        Assert.Equal(InTheArgumentsFile, await InvalidMobileStatusAsync(gateway, "/sms_codes/"));
        AssertReadFile(gateway, argument);
    }

    [Fact]
    public async Task File_NamedByGatewayConfig_WinsOverTheWorkingDirectory()
    {
        var variable = Config(InTheVariablesFile).WriteTo(Path.Combine(_directory, "variable.json"));
        Config(InTheWorkingDirectorysFile).WriteTo(Path.Combine(_directory, "yarp.json"));

        await using var gateway = await GatewayProcess.StartAsync(_directory,
            new Dictionary<string, string> { [GatewayProcess.ConfigEnvironmentVariable] = variable });

        Assert.Equal(InTheVariablesFile, await InvalidMobileStatusAsync(gateway, "/sms_codes/"));
        AssertReadFile(gateway, variable);
    }

    [Fact]
    public async Task File_InTheWorkingDirectory_WinsOverTheOneBesideTheBinary()
    {
        var workingDirectoryFile = Config(InTheWorkingDirectorysFile).WriteTo(Path.Combine(_directory, "yarp.json"));

        await using var gateway = await GatewayProcess.StartAsync(_directory);

        Assert.Equal(InTheWorkingDirectorysFile, await InvalidMobileStatusAsync(gateway, "/sms_codes/"));
        AssertReadFile(gateway, workingDirectoryFile);
    }

    [Fact]
    public async Task File_NoneNamedAndNoneInTheWorkingDirectory_IsTheOneBesideTheBinary()
    {
        await using var gateway = await GatewayProcess.StartAsync(_directory);

        // The shipped yarp.json: its gated route answers an invalid mobile with the gate's own 404.
        using var client = new HttpClient { BaseAddress = gateway.Address };
        var response = await client.GetAsync(new Uri("/sms_codes/0/", UriKind.Relative)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("not valid", await GatewayClient.MessageOfAsync(response), StringComparison.Ordinal);
        AssertReadFile(gateway, Path.Combine(AppContext.BaseDirectory, "yarp.json"));
    }

    /// <summary>A test configuration (in-process store, no provider needed) whose invalid-mobile answer has <paramref name="status"/>.</summary>
    private static GatewayConfig Config(int status)
    {
        var config = new GatewayConfig(RefusingAddress.Http, redis: null);
        config.Policy["Answers"] = InvalidMobileAnswer(status);
        return config;
    }

    private static JsonObject InvalidMobileAnswer(int status) => new() { ["InvalidMobile"] = new JsonObject { ["Status"] = status } };

    /// <summary>The status the gate answers a request for an invalid mobile with on the gated route under <paramref name="prefix"/>.</summary>
    private static async Task<int> InvalidMobileStatusAsync(GatewayProcess gateway, string prefix)
    {
        using var client = new HttpClient { BaseAddress = gateway.Address };
        var response = await client.GetAsync(new Uri($"{prefix}0/", UriKind.Relative)).WaitAsync(TimeSpan.FromSeconds(30));
        return (int)response.StatusCode;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertReadFile(GatewayProcess gateway, string path) =>
        Assert.Contains($"Gateway configuration file: {path}", gateway.Output, StringComparison.Ordinal);
}
