namespace Gateway.Middleware.Policies.Keys;

/// <summary>
/// What a mobile is, whatever a policy's pattern says: ASCII digits 0-9 with an optional leading <c>+</c>. The pattern
/// can only narrow it. Holding every mobile to this form is what keeps key templates apart: a mobile such as
/// <c>state_13800138000</c> would turn <c>sms_{mobile}</c> into the victim's <c>sms_state_13800138000</c>.
/// </summary>
internal static class MobileForm
{
    /// <summary>The longest mobile the gate looks at; E.164 numbers have at most 15 digits.</summary>
    public const int MaxLength = 32;

    /// <summary>True when <paramref name="value"/> is digits 0-9 with an optional leading '+', and at least one digit.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> value)
    {
        if (!value.IsEmpty && value[0] == '+')
        {
            value = value[1..];
        }

        return !value.IsEmpty && !value.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>
    /// An automaton for the strings that are NOT mobiles yet can reach the pattern (printable ASCII, at least one
    /// character): a lone <c>+</c>, or any string with a character other than a digit or a leading <c>+</c>.
    /// </summary>
    public static CharNfa NotAMobile()
    {
        var nfa = new CharNfa();
        var start = nfa.AddState();
        var plus = nfa.AddState();
        var digits = nfa.AddState();
        var other = nfa.AddState();
        nfa.Start = start;
        // The edges to "other" first, so that a witness shows a letter rather than a lone '+' where it can.
        nfa.AddEdge(start, other, static c => c != '+' && !char.IsAsciiDigit(c));
        nfa.AddEdge(start, digits, char.IsAsciiDigit);
        nfa.AddEdge(start, plus, static c => c == '+');
        nfa.AddEdge(plus, other, static c => !char.IsAsciiDigit(c));
        nfa.AddEdge(plus, digits, char.IsAsciiDigit);
        nfa.AddEdge(digits, other, static c => !char.IsAsciiDigit(c));
        nfa.AddEdge(digits, digits, char.IsAsciiDigit);
        nfa.AddEdge(other, other, static _ => true);
        nfa.Accept(plus);
        nfa.Accept(other);
        return nfa;
    }

    /// <summary>Adds to <paramref name="nfa"/>, from <paramref name="from"/>, the mobiles: <c>\+?[0-9]+</c>. Returns the end state.</summary>
    public static int AddMobiles(CharNfa nfa, int from)
    {
        var afterSign = nfa.AddState();
        var digits = nfa.AddState();
        nfa.AddEmpty(from, afterSign);
        nfa.AddEdge(from, afterSign, static c => c == '+');
        nfa.AddEdge(afterSign, digits, char.IsAsciiDigit);
        nfa.AddEdge(digits, digits, char.IsAsciiDigit);
        return digits;
    }
}
