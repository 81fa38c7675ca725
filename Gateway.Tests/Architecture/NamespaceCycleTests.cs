using Gateway.Middleware;
using Xunit.Abstractions;

namespace Gateway.Tests.Architecture;

/// <summary>
/// The library's folders depend on each other one way only: no namespace under <c>Gateway.Middleware</c> uses another
/// that uses it back, directly or through others. Read from the compiled assembly (<see cref="NamespaceReferences"/>),
/// so a fully qualified name counts as much as a <c>using</c> line. The root namespace (the public entry points) is
/// left out: it composes the rest.
/// </summary>
public sealed class NamespaceCycleTests(ITestOutputHelper output)
{
    private const string Root = "Gateway.Middleware";

    /// <summary>
    /// Known edges of a cycle that another change of this round removes; each goes when that change is merged (the
    /// second test fails until it does).
    /// </summary>
    private static readonly (string From, string To, string Why)[] KnownEdges =
    [
        ("Gateway.Middleware.Diagnostics", "Gateway.Middleware.Store",
            "SmsCodeGateMetrics takes the store's refusal and result types; refactor-store (issue 19) removes it"),
        ("Gateway.Middleware.Transforms", "Gateway.Middleware.Gate",
            "the transforms read and write the SmsCodeIssue mailbox; refactor-request (issue 19, one context per request) removes it"),
    ];

    [Fact]
    public void Namespaces_OfTheLibrary_HaveNoCycle()
    {
        var graph = Graph(withKnownEdges: false);

        var cycles = Cycles(graph);

        foreach (var (from, to) in graph.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{from} -> {string.Join(", ", to.Order(StringComparer.Ordinal))}");
        }

        Assert.True(cycles.Count == 0, "Namespace cycles: " + string.Join("; ", cycles));
    }

    [Fact]
    public void KnownEdges_StillThere_OrRemoveThemFromTheList()
    {
        var graph = Graph(withKnownEdges: true);

        var gone = KnownEdges.Where(edge => !graph.TryGetValue(edge.From, out var to) || !to.Contains(edge.To)).ToList();

        Assert.True(gone.Count == 0, "Remove from KnownEdges, no longer used: " + string.Join("; ", gone.Select(edge => $"{edge.From} -> {edge.To}")));
    }

    [Fact]
    public void Cycles_TwoNamespacesUsingEachOther_AreFoundAndNamed()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };

        var cycle = Assert.Single(Cycles(graph));

        Assert.Equal("A -> B -> C -> A", cycle);
    }

    private static Dictionary<string, HashSet<string>> Graph(bool withKnownEdges)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (from, to) in NamespaceReferences.Read(typeof(SmsCodeGateMetadata).Assembly))
        {
            if (IsUnderRoot(from))
            {
                graph[from] = [.. to.Where(IsUnderRoot).Where(target => withKnownEdges || !KnownEdges.Any(edge => edge.From == from && edge.To == target))];
            }
        }

        return graph;
    }

    private static bool IsUnderRoot(string name) => name.StartsWith(Root + ".", StringComparison.Ordinal);

    /// <summary>One cycle per group of namespaces that reach each other, as <c>A -> B -> A</c>, from the group's first name.</summary>
    private static List<string> Cycles(Dictionary<string, HashSet<string>> graph)
    {
        var cycles = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (seen.Contains(start) || ShortestPath(graph, start, start) is not { } path)
            {
                continue;
            }

            var group = graph.Keys.Where(other => ShortestPath(graph, start, other) is not null && ShortestPath(graph, other, start) is not null);
            seen.UnionWith(group);
            cycles.Add(string.Join(" -> ", path));
        }

        return cycles;
    }

    /// <summary>The shortest way from <paramref name="from"/> to <paramref name="to"/> of at least one step; null when there is none.</summary>
    private static List<string>? ShortestPath(Dictionary<string, HashSet<string>> graph, string from, string to)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([from]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var next in graph.GetValueOrDefault(current, []).Order(StringComparer.Ordinal))
            {
                if (next == to)
                {
                    var path = new List<string> { to, current };
                    while (path[^1] != from)
                    {
                        path.Add(previous[path[^1]]);
                    }

                    path.Reverse();
                    return path;
                }

                if (next != from && previous.TryAdd(next, current))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return null;
    }
}
