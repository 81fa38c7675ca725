using System.Text.RegularExpressions;

namespace Gateway.Tests.Docs;

/// <summary>
/// Nothing in README.md or docs/ points to what does not exist: every relative Markdown link, every repository path
/// named in backticks (one that starts with a top-level folder of the repository, or a file name with a known
/// extension) and every such path in a code block; and nothing points outside the repository (<c>../shared</c>).
/// </summary>
public sealed partial class DocLinksTests
{
    private static readonly string[] KnownExtensions =
        [".md", ".cs", ".csproj", ".sln", ".props", ".json", ".sh", ".conf", ".lua", ".py", ".service", ".env", ".txt", ".yml", ".yaml"];

    private static readonly HashSet<string> TopLevelFolders = Directory.GetDirectories(RepositoryPaths.Root)
        .Select(Path.GetFileName).OfType<string>().Where(name => name != ".git").ToHashSet(StringComparer.Ordinal);

    private static readonly Lazy<IReadOnlyList<string>> RepositoryFiles = new(() => Directory
        .EnumerateFiles(RepositoryPaths.Root, "*", SearchOption.AllDirectories)
        .Select(file => Path.GetRelativePath(RepositoryPaths.Root, file).Replace('\\', '/'))
        .Where(file => !file.StartsWith(".git/", StringComparison.Ordinal) && !file.Contains("/bin/", StringComparison.Ordinal) && !file.Contains("/obj/", StringComparison.Ordinal))
        .ToList());

    public static TheoryData<string> Pages() => new(RepositoryPaths.MarkdownPages);

    [Theory]
    [MemberData(nameof(Pages))]
    public void Links_EveryRelativeLink_Exists(string page)
    {
        var missing = MarkdownLink().Matches(Prose(page)).Select(match => match.Groups["target"].Value)
            .Where(target => !Uri.TryCreate(target, UriKind.Absolute, out _) && !target.StartsWith('#'))
            .Where(target => !Exists(Path.Combine(Path.GetDirectoryName(page)!, target.Split('#')[0])))
            .ToList();

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Paths_EveryRepositoryPathInBackticks_Exists(string page)
    {
        var missing = InlineCode().Matches(Prose(page)).Select(match => match.Groups["code"].Value.Trim())
            .Where(LooksLikeARepositoryPath)
            .Where(path => !ExistsInRepository(page, path))
            .ToList();

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Paths_EveryRepositoryPathInCodeBlocks_Exists(string page)
    {
        var missing = CodeBlock().Matches(RepositoryPaths.Read(page))
            .SelectMany(block => PathToken().Matches(block.Groups["code"].Value).Select(token => token.Value))
            .Where(token => token.Contains('/', StringComparison.Ordinal) && TopLevelFolders.Contains(token.Split('/')[0]))
            .Where(token => !Exists(token.TrimEnd('/', '.')))
            .Distinct()
            .ToList();

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Pages_NothingPointsOutsideTheRepository(string page)
    {
        Assert.DoesNotContain("../shared", RepositoryPaths.Read(page), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway.Middleware/Nothing.cs", true)]
    [InlineData("nothing.lua", true)]
    [InlineData("deploy/systemd/sms-gateway@.service", true)]
    [InlineData("/etc/sms-gateway/yarp.json", false)]
    [InlineData("Gateway.Middleware", false)]
    [InlineData("--config yarp.json", false)]
    public void LooksLikeARepositoryPath_Examples(string code, bool expected)
    {
        Assert.Equal(expected, LooksLikeARepositoryPath(code));
    }

    [Fact]
    public void ExistsInRepository_AMissingPath_False()
    {
        Assert.False(ExistsInRepository("README.md", "Gateway.Middleware/Nothing.cs"));
        Assert.False(ExistsInRepository("README.md", "nothing.lua"));
        Assert.True(ExistsInRepository("README.md", "deploy/systemd/sms-gateway@.service"));
        Assert.True(ExistsInRepository("docs/redis.md", "legacyapp/sentinel.py"));
    }

    /// <summary>A path, not a command or a setting: no space, no placeholder, not absolute, no <c>=</c> or <c>:</c>.</summary>
    private static bool LooksLikeARepositoryPath(string code)
    {
        if (code.Length == 0 || code.IndexOfAny([' ', '<', '>', '*', '{', '}', '$', '~', '|', '=', ':']) >= 0 || code.StartsWith('/'))
        {
            return false;
        }

        var path = code.TrimEnd('/');
        return (path.Contains('/', StringComparison.Ordinal) && TopLevelFolders.Contains(path.Split('/')[0]))
            || KnownExtensions.Any(extension => path.EndsWith(extension, StringComparison.Ordinal));
    }

    /// <summary>From the root, from the page's folder, or (a path under a sample's own root, a bare file name) as the end of a file's path.</summary>
    private static bool ExistsInRepository(string page, string code)
    {
        var path = code.TrimEnd('/');
        return Exists(path)
            || Exists(Path.Combine(Path.GetDirectoryName(page)!, path))
            || (!TopLevelFolders.Contains(path.Split('/')[0]) && RepositoryFiles.Value.Any(file => file == path || file.EndsWith("/" + path, StringComparison.Ordinal)));
    }

    private static bool Exists(string relativePath)
    {
        var full = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, relativePath));
        return File.Exists(full) || Directory.Exists(full);
    }

    /// <summary>The page without its fenced code blocks.</summary>
    private static string Prose(string page) => CodeBlock().Replace(RepositoryPaths.Read(page), "");

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"`(?<code>[^`\n]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^```[^\n]*\n(?<code>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"[A-Za-z0-9_.@/-]+")]
    private static partial Regex PathToken();
}
