namespace Gateway.Tests.Docs;

/// <summary>The repository the tests were built from, found from the test binaries upwards (the folder with Gateway.sln).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>README.md and every page under docs/, as paths relative to the root.</summary>
    public static IReadOnlyList<string> MarkdownPages { get; } =
        ["README.md", .. Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Select(page => Path.GetRelativePath(Root, page)).Order(StringComparer.Ordinal)];

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Gateway.sln above {AppContext.BaseDirectory}.");
    }
}
