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

    [Fact]
    public void Namespaces_OfTheLibrary_HaveNoCycle()
    {
        var graph = Graph();

        var cycles = Cycles(graph);

        foreach (var (from, to) in graph.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{from} -> {string.Join(", ", to.Order(StringComparer.Ordinal))}");
        }

        Assert.True(cycles.Count == 0, "Namespace cycles: " + string.Join("; ", cycles));
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

    private static Dictionary<string, HashSet<string>> Graph()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (from, to) in NamespaceReferences.Read(typeof(SmsCodeGateMetadata).Assembly))
        {
            if (IsUnderRoot(from))
            {
                graph[from] = [.. to.Where(IsUnderRoot)];
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
