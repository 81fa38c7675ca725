using System.Text;

namespace Gateway.Middleware.Policies.Keys;

/// <summary>
/// A small nondeterministic automaton over characters, with empty moves, used at start-up only: to decide whether a
/// mobile pattern can match something that is not a mobile, and whether two key templates can name the same key.
/// Both questions are "do two automata accept a common word?", answered exactly by a breadth-first search over pairs
/// of states, which also yields the shortest such word as a witness for the error message.
/// </summary>
internal sealed class CharNfa
{
    /// <summary>Automata larger than this are not searched: the caller refuses the configuration as too complex.</summary>
    public const int MaxStates = 20_000;

    private readonly List<List<int>> _empty = [];
    private readonly List<List<(int To, Func<char, bool> Chars)>> _edges = [];
    private readonly HashSet<int> _accepting = [];

    public int Start { get; set; }

    public int StateCount => _edges.Count;

    public int AddState()
    {
        if (_edges.Count >= MaxStates)
        {
            throw new InvalidOperationException("is too complex to analyse");
        }

        _empty.Add([]);
        _edges.Add([]);
        return _edges.Count - 1;
    }

    public void AddEmpty(int from, int to) => _empty[from].Add(to);

    public void AddEdge(int from, int to, Func<char, bool> chars) => _edges[from].Add((to, chars));

    public void Accept(int state) => _accepting.Add(state);

    /// <summary>
    /// Appends to this automaton one that accepts exactly <paramref name="literal"/>, from <paramref name="from"/>;
    /// returns the state reached after its last character.
    /// </summary>
    public int AddLiteral(int from, string literal)
    {
        var state = from;
        foreach (var c in literal)
        {
            var next = AddState();
            var expected = c;
            AddEdge(state, next, ch => ch == expected);
            state = next;
        }

        return state;
    }

    /// <summary>
    /// The shortest word that both automata accept, trying characters of <paramref name="alphabet"/> in its order,
    /// or null when they share none. Characters outside the alphabet are not tried.
    /// </summary>
    public static string? FindCommonWord(CharNfa a, CharNfa b, IReadOnlyList<char> alphabet)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(alphabet);
        var start = (a.Start, b.Start);
        var parents = new Dictionary<(int, int), ((int, int) From, char? Via)> { [start] = (start, null) };
        var queue = new Queue<(int A, int B)>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var pair = queue.Dequeue();
            if (a._accepting.Contains(pair.A) && b._accepting.Contains(pair.B))
            {
                return WordTo(pair, parents);
            }

            foreach (var next in a._empty[pair.A])
            {
                Visit((next, pair.B), pair, null);
            }

            foreach (var next in b._empty[pair.B])
            {
                Visit((pair.A, next), pair, null);
            }

            foreach (var (toA, charsA) in a._edges[pair.A])
            {
                foreach (var (toB, charsB) in b._edges[pair.B])
                {
                    foreach (var c in alphabet)
                    {
                        if (charsA(c) && charsB(c))
                        {
                            // One character per pair of edges is enough: the states reached do not depend on which.
                            Visit((toA, toB), pair, c);
                            break;
                        }
                    }
                }
            }
        }

        return null;

        void Visit((int, int) next, (int, int) from, char? via)
        {
            if (parents.TryAdd(next, (from, via)))
            {
                queue.Enqueue(next);
            }
        }
    }

    private static string WordTo((int, int) pair, Dictionary<(int, int), ((int, int) From, char? Via)> parents)
    {
        var reversed = new StringBuilder();
        while (parents[pair] is var (from, via) && from != pair)
        {
            if (via is { } c)
            {
                reversed.Append(c);
            }

            pair = from;
        }

        var chars = reversed.ToString().ToCharArray();
        Array.Reverse(chars);
        return new string(chars);
    }
}
