namespace Gateway.Middleware.Policies.Keys;

/// <summary>
/// Decides at start-up whether a <c>MobilePattern</c> can match a value that is not a mobile (see
/// <see cref="MobileForm"/>), and if so names one. The pattern is parsed into an automaton that accepts at least every
/// value the pattern matches among the values that can reach it (printable ASCII, no space), and that automaton is
/// intersected with the automaton of the non-mobiles: a common word is a witness.
/// </summary>
/// <remarks>
/// <para>
/// The automaton over-approximates, so the check never accepts a pattern that can match a non-mobile, but it may
/// refuse a pattern that only looks as if it could: anchors, <c>\b</c> and lookarounds are read as matching anything
/// (they can only narrow a match); atomic groups and lazy quantifiers as plain ones; a count above
/// <see cref="MobileForm.MaxLength"/> as unbounded; and the length limit itself is ignored. A character class
/// is decided by .NET itself (each printable ASCII character is tried against it), so <c>\d</c>, <c>\w</c>,
/// <c>\p{..}</c>, subtraction and negation mean exactly what they mean to the pattern.
/// </para>
/// <para>
/// Backreferences, conditionals and inline options cannot be read this way and are refused with that reason. Each
/// request's mobile is still held to <see cref="MobileForm"/> (<see cref="SmsCodePolicy.IsValidMobile"/>): that, not
/// this check, is the guarantee; this one makes a lax pattern fail loudly at start-up instead of quietly at run time.
/// </para>
/// </remarks>
internal static class MobilePatternCheck
{
    /// <summary>The characters a mobile can have on the way to the pattern, letters first so that a witness reads well.</summary>
    internal static readonly char[] Alphabet = [.. Enumerable.Range(0x21, 0x7E - 0x20).Select(i => (char)i)
        .OrderBy(c => char.IsAsciiLetterLower(c) ? 0 : char.IsAsciiLetterUpper(c) ? 1 : char.IsAsciiDigit(c) ? 2 : 3)];

    /// <summary>Null when every value the pattern can match is a mobile; else why not, with a witness.</summary>
    public static string? Check(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        CharNfa nfa;
        try
        {
            nfa = new MobilePatternParser(pattern, Alphabet).Build();
        }
        catch (InvalidOperationException ex)
        {
            return $"cannot be checked: it {ex.Message}; write it with digits, classes, groups, alternatives and counts only";
        }

        return CharNfa.FindCommonWord(nfa, MobileForm.NotAMobile(), Alphabet) is { } witness
            ? $"can match '{witness}', which is not a mobile: a mobile is ASCII digits with an optional leading '+', and the pattern may only narrow that"
            : null;
    }
}
