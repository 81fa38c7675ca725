using System.Text.RegularExpressions;

namespace Gateway.Tests.Docs;

/// <summary>
/// docs/embedding.md shows whole files (tests/embed/run.sh builds a fresh project from them); samples/EmbeddedGate
/// is the same project on the library's source, so its two files are the page's, byte for byte.
/// </summary>
public sealed partial class EmbeddingDocTests
{
    [Theory]
    [InlineData("Program.cs", "samples/EmbeddedGate/Program.cs")]
    [InlineData("appsettings.json", "samples/EmbeddedGate/appsettings.json")]
    public void Block_IsTheSamplesFile(string block, string sampleFile)
    {
        Assert.Equal(RepositoryPaths.Read(sampleFile).ReplaceLineEndings("\n"), BlockOf(block));
    }

    [Fact]
    public void Blocks_EveryOneTheEmbedTestRuns_Present()
    {
        foreach (var block in new[] { "pack", "project", "Program.cs", "appsettings.json", "run", "try" })
        {
            Assert.False(string.IsNullOrWhiteSpace(BlockOf(block)), block);
        }
    }

    [Fact]
    public void Project_AddsTheVersionTheBuildPacks()
    {
        var version = VersionPrefix().Match(RepositoryPaths.Read("Directory.Build.props")).Groups["version"].Value;

        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        Assert.Contains($"dotnet add package SmsCodeGate.Yarp --version {version}\n", BlockOf("project"), StringComparison.Ordinal);
        Assert.Contains("<PackageId>SmsCodeGate.Yarp</PackageId>", RepositoryPaths.Read("Gateway.Middleware/Gateway.Middleware.csproj"), StringComparison.Ordinal);
    }

    private static string BlockOf(string name)
    {
        var page = RepositoryPaths.Read("docs/embedding.md").ReplaceLineEndings("\n");
        var match = Regex.Match(page, $@"^<!-- embed: {Regex.Escape(name)} -->\n```[^\n]*\n(?<code>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline);
        return match.Success ? match.Groups["code"].Value : "";
    }

    [GeneratedRegex("<VersionPrefix>(?<version>[^<]+)</VersionPrefix>")]
    private static partial Regex VersionPrefix();
}
