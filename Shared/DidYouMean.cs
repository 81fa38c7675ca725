namespace Gateway.Shared;

/// <summary>
/// Finds the name an operator most likely meant when a key is misspelt, by edit distance, case ignored, so that an
/// error can say "did you mean SendInterval?".
/// </summary>
/// <remarks>Shared source, compiled into the library and the host.</remarks>
internal static class DidYouMean
{
    /// <summary>The candidate nearest to <paramref name="name"/> within a few edits, or null when none is that near.</summary>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        string? nearest = null;
        var best = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(name, candidate);
            if (distance < best && distance <= Tolerance(candidate))
            {
                (nearest, best) = (candidate, distance);
            }
        }

        return nearest;
    }

    /// <summary>" (did you mean X?)" for the nearest candidate, or an empty string.</summary>
    public static string Suffix(string name, IEnumerable<string> candidates) =>
        Nearest(name, candidates) is { } nearest ? $" (did you mean {nearest}?)" : string.Empty;

    /// <summary>How many edits a misspelling of <paramref name="candidate"/> may be away from it: 2, or a third of a long name.</summary>
    public static int Tolerance(string candidate) => Math.Max(2, candidate.Length / 3);

    /// <summary>The Levenshtein distance between two names, letters compared case-insensitively.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var same = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]);
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (same ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
