using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Host;

/// <summary>
/// Where the gateway's configuration comes from, as the README states it: the file named by <c>--config</c>, else by
/// <c>GATEWAY_CONFIG</c>, else <c>yarp.json</c> in the working directory, else the copy beside the binary; environment
/// variables override the file, and the command line overrides both. Each test reads a built gateway started as a
/// process (only a process has its own working directory and environment; <see cref="Gateways"/> starts the four at
/// once) and tells from outside which source won: the status of the invalid-mobile answer, which every source sets to
/// a value of its own, and the file the gateway says it read.
/// </summary>
public sealed class ConfigurationSourceTests(ConfigurationSourceTests.Gateways gateways) : IClassFixture<ConfigurationSourceTests.Gateways>
{
    private const int FromTheFile = 461;
    private const int FromTheEnvironment = 462;
    private const int FromTheCommandLine = 463;
    private const int InTheArgumentsFile = 471;
    private const int InTheVariablesFile = 472;
    private const int InTheWorkingDirectorysFile = 473;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Setting_InTheFile_IsOverriddenByTheEnvironment_WhichIsOverriddenByTheCommandLine()
    {
        var gateway = await gateways.WithEveryFile;

        Assert.Equal(FromTheFile, await InvalidMobileStatusAsync(gateway, "/from-the-file/sms_codes/"));
        Assert.Equal(FromTheEnvironment, await InvalidMobileStatusAsync(gateway, "/environment/sms_codes/"));
        Assert.Equal(FromTheCommandLine, await InvalidMobileStatusAsync(gateway, "/command-line/sms_codes/"));
    }

    [Fact]
    public async Task File_NamedByConfigArgument_WinsOverGatewayConfigAndTheWorkingDirectory()
    {
        var gateway = await gateways.WithEveryFile;

        Assert.Equal(InTheArgumentsFile, await InvalidMobileStatusAsync(gateway, "/sms_codes/"));
        AssertReadFile(gateway, gateways.ArgumentsFile);
    }

    [Fact]
    public async Task File_NamedByGatewayConfig_WinsOverTheWorkingDirectory()
    {
        var gateway = await gateways.WithVariableAndWorkingDirectoryFile;

        Assert.Equal(InTheVariablesFile, await InvalidMobileStatusAsync(gateway, "/sms_codes/"));
        AssertReadFile(gateway, gateways.VariablesFile);
    }

    [Fact]
    public async Task File_InTheWorkingDirectory_WinsOverTheOneBesideTheBinary()
    {
        var gateway = await gateways.WithWorkingDirectoryFile;

        Assert.Equal(InTheWorkingDirectorysFile, await InvalidMobileStatusAsync(gateway, "/sms_codes/"));
        AssertReadFile(gateway, gateways.WorkingDirectoryFile);
    }

    [Fact]
    public async Task File_NoneNamedAndNoneInTheWorkingDirectory_IsTheOneBesideTheBinary()
    {
        var gateway = await gateways.WithNoFile;

        // The shipped yarp.json: its gated route answers an invalid mobile with the gate's own 404.
        using var client = new HttpClient { BaseAddress = gateway.Address };
        var response = await client.GetAsync(new Uri("/sms_codes/0/", UriKind.Relative)).WaitAsync(HangGuard);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("not valid", await GatewayClient.MessageOfAsync(response), StringComparison.Ordinal);
        AssertReadFile(gateway, Path.Combine(AppContext.BaseDirectory, "yarp.json"));
    }

    /// <summary>The status the gate answers a request for an invalid mobile with on the gated route under <paramref name="prefix"/>.</summary>
    private static async Task<int> InvalidMobileStatusAsync(GatewayProcess gateway, string prefix)
    {
        using var client = new HttpClient { BaseAddress = gateway.Address };
        var response = await client.GetAsync(new Uri($"{prefix}0/", UriKind.Relative)).WaitAsync(HangGuard);
        return (int)response.StatusCode;
    }

    private static void AssertReadFile(GatewayProcess gateway, string path) =>
        Assert.Contains($"Gateway configuration file: {path}", gateway.Output, StringComparison.Ordinal);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A test configuration (in-process store, no provider needed) whose invalid-mobile answer has <paramref name="status"/>.</summary>
    private static GatewayConfig Config(int status)
    {
        var config = new GatewayConfig(RefusingAddress.Http, redis: null);
        config.Policy["Answers"] = InvalidMobileAnswer(status);
        return config;
    }

    private static JsonObject InvalidMobileAnswer(int status) => new() { ["InvalidMobile"] = new JsonObject { ["Status"] = status } };

    /// <summary>
    /// The four gateways the tests read, each started in a working directory of its own with the files, environment and
    /// arguments its name says; all at once, since a process takes seconds to start on a loaded machine. A gateway that
    /// fails to start fails the test that reads it.
    /// </summary>
    public sealed class Gateways : IAsyncLifetime
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("gateway-sources-").FullName;

        /// <summary>
        /// <c>--config</c> and <c>GATEWAY_CONFIG</c> both naming a file, and a <c>yarp.json</c> in the working directory.
        /// The file <c>--config</c> names has three more policies, each answering invalid mobiles with 461 there: the one
        /// at <c>/from-the-file/sms_codes/</c> as the file has it, the one at <c>/environment/sms_codes/</c> overridden by
        /// an environment variable, the one at <c>/command-line/sms_codes/</c> by an environment variable and an argument.
        /// </summary>
        public Task<GatewayProcess> WithEveryFile { get; private set; } = null!;

        /// <summary><c>GATEWAY_CONFIG</c> naming a file, and a <c>yarp.json</c> in the working directory.</summary>
        public Task<GatewayProcess> WithVariableAndWorkingDirectoryFile { get; private set; } = null!;

        /// <summary>A <c>yarp.json</c> in the working directory (and, as always, the one beside the binary).</summary>
        public Task<GatewayProcess> WithWorkingDirectoryFile { get; private set; } = null!;

        /// <summary>No file named and none in the working directory.</summary>
        public Task<GatewayProcess> WithNoFile { get; private set; } = null!;

        public string ArgumentsFile { get; private set; } = null!;

        public string VariablesFile { get; private set; } = null!;

        public string WorkingDirectoryFile { get; private set; } = null!;

        public Task InitializeAsync()
        {
            var everyFile = Directory.CreateDirectory(Path.Combine(_directory, "every-file")).FullName;
            ArgumentsFile = WithOverridablePolicies(Config(InTheArgumentsFile)).WriteTo(Path.Combine(everyFile, "argument.json"));
            var environment = Variable(Config(InTheVariablesFile).WriteTo(Path.Combine(everyFile, "variable.json")));
            environment["SmsCodeGate__Policies__environment__Answers__InvalidMobile__Status"] = Invariant(FromTheEnvironment);
            environment["SmsCodeGate__Policies__command-line__Answers__InvalidMobile__Status"] = Invariant(FromTheEnvironment);
            Config(InTheWorkingDirectorysFile).WriteTo(Path.Combine(everyFile, "yarp.json"));
            WithEveryFile = GatewayProcess.StartAsync(everyFile, environment,
                "--config", ArgumentsFile, "--SmsCodeGate:Policies:command-line:Answers:InvalidMobile:Status=" + Invariant(FromTheCommandLine));

            var variableAndWorkingDirectory = Directory.CreateDirectory(Path.Combine(_directory, "variable-and-working-directory")).FullName;
            VariablesFile = Config(InTheVariablesFile).WriteTo(Path.Combine(variableAndWorkingDirectory, "variable.json"));
            Config(InTheWorkingDirectorysFile).WriteTo(Path.Combine(variableAndWorkingDirectory, "yarp.json"));
            WithVariableAndWorkingDirectoryFile = GatewayProcess.StartAsync(variableAndWorkingDirectory, Variable(VariablesFile));

            var workingDirectory = Directory.CreateDirectory(Path.Combine(_directory, "working-directory")).FullName;
            WorkingDirectoryFile = Config(InTheWorkingDirectorysFile).WriteTo(Path.Combine(workingDirectory, "yarp.json"));
            WithWorkingDirectoryFile = GatewayProcess.StartAsync(workingDirectory);

            WithNoFile = GatewayProcess.StartAsync(Directory.CreateDirectory(Path.Combine(_directory, "no-file")).FullName);
            return Task.CompletedTask;
        }

        public async Task DisposeAsync()
        {
            foreach (var start in new[] { WithEveryFile, WithVariableAndWorkingDirectoryFile, WithWorkingDirectoryFile, WithNoFile })
            {
                try
                {
                    await (await start).DisposeAsync();
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
                {
                    // It did not start; the test that reads it says why.
                }
            }

            Directory.Delete(_directory, recursive: true);
        }

        private static Dictionary<string, string> Variable(string file) => new() { [GatewayProcess.ConfigEnvironmentVariable] = file };

        private static GatewayConfig WithOverridablePolicies(GatewayConfig config)
        {
            foreach (var policy in new[] { "from-the-file", "environment", "command-line" })
            {
                config.Gate["Policies"]![policy] = new JsonObject { ["Answers"] = InvalidMobileAnswer(FromTheFile) };
                config.Root["ReverseProxy"]!["Routes"]![policy] = new JsonObject
                {
                    ["ClusterId"] = "sms-provider",
                    ["Match"] = new JsonObject { ["Path"] = $"/{policy}/sms_codes/{{mobile}}/", ["Methods"] = new JsonArray("GET") },
                    ["Metadata"] = new JsonObject { ["SmsCodePolicy"] = policy },
                };
            }

            return config;
        }
    }
}
