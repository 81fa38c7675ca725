using System.Text.RegularExpressions;

namespace Gateway.Middleware.Policies.Keys;

/// <summary>
/// Parses a mobile pattern into a <see cref="CharNfa"/> that accepts at least every value the pattern matches among
/// the characters of <c>alphabet</c>: anchors and lookarounds are read as matching anything, counts above
/// <see cref="MobileForm.MaxLength"/> as unbounded, and a character class is decided by .NET itself. Throws
/// <see cref="InvalidOperationException"/>, with why, for what it cannot read (see <see cref="MobilePatternCheck"/>).
/// </summary>
internal sealed class MobilePatternParser(string pattern, char[] alphabet)
{
    private const int CountCap = MobileForm.MaxLength + 1;
    private static readonly Regex Quantifier = new(@"\G\{(\d+)(,(\d*))?\}", RegexOptions.CultureInvariant);
    private int _at;

    public CharNfa Build()
    {
        var tree = ParseChoice();
        if (_at < pattern.Length)
        {
            throw new InvalidOperationException($"has an unmatched ')' at position {_at}");
        }

        var nfa = new CharNfa();
        nfa.Start = nfa.AddState();
        nfa.Accept(Add(nfa, tree, nfa.Start));
        return nfa;
    }

    private static int Add(CharNfa nfa, Node node, int from)
    {
        switch (node)
        {
            case Chars chars:
                var to = nfa.AddState();
                nfa.AddEdge(from, to, chars.Set);
                return to;
            case Sequence sequence:
                return sequence.Parts.Aggregate(from, (state, part) => Add(nfa, part, state));
            case Choice choice:
                var end = nfa.AddState();
                foreach (var option in choice.Options)
                {
                    var start = nfa.AddState();
                    nfa.AddEmpty(from, start);
                    nfa.AddEmpty(Add(nfa, option, start), end);
                }

                return end;
            case Repeat repeat:
                var state = from;
                for (var i = 0; i < repeat.Min; i++)
                {
                    state = Add(nfa, repeat.Body, state);
                }

                if (repeat.Max is null)
                {
                    var loop = nfa.AddState();
                    nfa.AddEmpty(state, loop);
                    nfa.AddEmpty(Add(nfa, repeat.Body, loop), loop);
                    return loop;
                }

                var exit = nfa.AddState();
                nfa.AddEmpty(state, exit);
                for (var i = repeat.Min; i < repeat.Max; i++)
                {
                    state = Add(nfa, repeat.Body, state);
                    nfa.AddEmpty(state, exit);
                }

                return exit;
            default:
                return from;
        }
    }

    private Node ParseChoice()
    {
        var options = new List<Node> { ParseSequence() };
        while (_at < pattern.Length && pattern[_at] == '|')
        {
            _at++;
            options.Add(ParseSequence());
        }

        return options.Count == 1 ? options[0] : new Choice(options);
    }

    private Sequence ParseSequence()
    {
        var parts = new List<Node>();
        while (_at < pattern.Length && pattern[_at] is not ('|' or ')'))
        {
            var atom = ParseAtom();
            parts.Add(ParseQuantifier(atom));
        }

        return new Sequence(parts);
    }

    private Node ParseQuantifier(Node atom)
    {
        while (_at < pattern.Length)
        {
            int min;
            int? max;
            var c = pattern[_at];
            if (c is '*' or '+' or '?')
            {
                (min, max) = c switch { '*' => (0, (int?)null), '+' => (1, null), _ => (0, 1) };
                _at++;
            }
            else if (c == '{' && Quantifier.Match(pattern, _at) is { Success: true } match)
            {
                min = Cap(match.Groups[1].Value);
                max = !match.Groups[2].Success ? min : match.Groups[3].Value.Length == 0 ? null : Cap(match.Groups[3].Value);
                max = max >= CountCap ? null : max;
                _at += match.Length;
            }
            else
            {
                return atom;
            }

            if (_at < pattern.Length && pattern[_at] == '?')
            {
                _at++; // lazy: the same language
            }

            atom = new Repeat(atom, min, max);
        }

        return atom;
    }

    private static int Cap(string digits) =>
        digits.Length > 3 ? CountCap : Math.Min(int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture), CountCap);

    private Node ParseAtom()
    {
        var c = pattern[_at];
        switch (c)
        {
            case '(':
                return ParseGroup();
            case '[':
                var end = ClassEnd(_at);
                var set = CharsOf(pattern[_at..end]);
                _at = end;
                return new Chars(set);
            case '\\':
                return ParseEscape();
            case '^' or '$':
                _at++;
                return new Empty();
            case '.':
                _at++;
                return new Chars(CharsOf("."));
            default:
                _at++;
                return new Chars(ch => ch == c);
        }
    }

    private Node ParseGroup()
    {
        var rest = pattern.AsSpan(_at);
        var skip = 1;
        var discard = false;
        if (rest.StartsWith("(?=") || rest.StartsWith("(?!"))
        {
            (skip, discard) = (3, true);
        }
        else if (rest.StartsWith("(?<=") || rest.StartsWith("(?<!"))
        {
            (skip, discard) = (4, true);
        }
        else if (rest.StartsWith("(?:") || rest.StartsWith("(?>"))
        {
            skip = 3;
        }
        else if (rest.StartsWith("(?#"))
        {
            _at = pattern.IndexOf(')', _at) + 1;
            return new Empty();
        }
        else if (rest.StartsWith("(?<") || rest.StartsWith("(?'"))
        {
            skip = pattern.IndexOfAny(['>', '\''], _at + 3) - _at + 1; // a named or balancing group
        }
        else if (rest.StartsWith("(?("))
        {
            throw new InvalidOperationException("uses a conditional");
        }
        else if (rest.StartsWith("(?"))
        {
            throw new InvalidOperationException("uses inline options");
        }

        _at += skip;
        var inner = ParseChoice();
        _at++; // ')'
        return discard ? new Empty() : inner;
    }

    private Node ParseEscape()
    {
        var start = _at;
        var next = _at + 1 < pattern.Length ? pattern[_at + 1] : '\0';
        _at += 2;
        switch (next)
        {
            case 'A' or 'z' or 'Z' or 'G' or 'b' or 'B':
                return new Empty();
            case >= '1' and <= '9' or 'k':
                throw new InvalidOperationException("uses a backreference");
            case 'p' or 'P':
                _at = pattern.IndexOf('}', _at) + 1;
                break;
            case 'x':
                _at += 2;
                break;
            case 'u':
                _at += 4;
                break;
            case 'c':
                _at += 1;
                break;
            case '0':
                while (_at < pattern.Length && _at - start < 4 && pattern[_at] is >= '0' and <= '7')
                {
                    _at++;
                }

                break;
        }

        return new Chars(CharsOf(pattern[start.._at]));
    }

    /// <summary>The index just past the class that starts at <paramref name="open"/>, subtractions included.</summary>
    private int ClassEnd(int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '^')
        {
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            i++; // a ']' first is literal
        }

        while (i < pattern.Length)
        {
            switch (pattern[i])
            {
                case '\\':
                    i += 2;
                    break;
                case '-' when i + 1 < pattern.Length && pattern[i + 1] == '[':
                    i = ClassEnd(i + 1);
                    break;
                case ']':
                    return i + 1;
                default:
                    i++;
                    break;
            }
        }

        throw new InvalidOperationException("has an unterminated class");
    }

    /// <summary>The printable ASCII characters a single-character construct (a class, an escape, '.') matches, as .NET decides.</summary>
    private Func<char, bool> CharsOf(string construct)
    {
        var regex = new Regex(@"\A(?:" + construct + @")\z", RegexOptions.CultureInvariant);
        var matches = new bool[128];
        foreach (var c in alphabet)
        {
            matches[c] = regex.IsMatch(c.ToString());
        }

        return c => c < 128 && matches[c];
    }

    // The parsed pattern: what the automaton is built from.
    private abstract record Node;
    private sealed record Empty : Node;
    private sealed record Chars(Func<char, bool> Set) : Node;
    private sealed record Sequence(List<Node> Parts) : Node;
    private sealed record Choice(List<Node> Options) : Node;
    private sealed record Repeat(Node Body, int Min, int? Max) : Node;
}
