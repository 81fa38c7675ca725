namespace Gateway.Middleware.Configuration.Keys;

/// <summary>
/// Refuses key templates that can name the same key: two templates of one policy, or of two policies that share a
/// Redis database. With mobiles held to digits (see <see cref="MobileForm"/>) the default templates cannot meet, but
/// custom ones can: <c>sms_{mobile}</c> and <c>sms_1{mobile}</c> give <c>sms_15</c> for the mobiles 15 and 5, and
/// <c>x{mobile}.1.2.3</c> meets <c>x{ip}</c> for the client 5.1.2.3. Each template is an automaton (its literal text
/// around the set of values its placeholder takes), and two templates collide when the automata share a word.
/// </summary>
/// <remarks>
/// The mobile's pattern and length limit are not taken into account (any <c>\+?[0-9]+</c> is assumed), nor are the
/// IP's exact forms (any run of letters, digits, '.', ':', '/' and '%' is assumed): a pair may be refused that the
/// pattern would keep apart, never the other way round. Two policies in one database that use the same template for
/// the same key (the same code key, say) share those keys on purpose, for the mobiles both patterns accept.
/// </remarks>
internal static class KeyTemplateOverlap
{
    private enum Placeholder
    {
        Mobile,
        Ip,
        None,
    }

    public static IEnumerable<string> Check(string section, IDictionary<string, SmsCodePolicyOptions> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var entries = policies.Where(pair => pair.Value is not null).SelectMany(pair => EntriesOf(pair.Key, pair.Value)).ToList();
        for (var i = 0; i < entries.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var (a, b) = (entries[j], entries[i]);
                if (a.Database != b.Database || IsDeliberate(a, b))
                {
                    continue;
                }

                var alphabet = Alphabet(a, b);
                if (CharNfa.FindCommonWord(a.Automaton(), b.Automaton(), alphabet) is { } key)
                {
                    yield return $"{section}:Policies:{b.Policy}:{b.Kind} and {section}:Policies:{a.Policy}:{a.Kind} can name the same key ('{key}'); "
                        + "change the text around the placeholder of one so that no mobile, IP or policy name turns it into the other.";
                }
            }
        }
    }

    /// <summary>
    /// Pairs not reported here: the same template twice in one policy (reported as such by the validator), and the
    /// same template for the same key in two policies (shared on purpose).
    /// </summary>
    private static bool IsDeliberate(Entry a, Entry b) =>
        string.Equals(a.Template, b.Template, StringComparison.Ordinal)
        && (string.Equals(a.Policy, b.Policy, StringComparison.Ordinal) || a.Kind == b.Kind);

    private static char[] Alphabet(Entry a, Entry b) =>
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Select(i => (char)i).Concat(a.Prefix).Concat(a.Suffix).Concat(b.Prefix).Concat(b.Suffix).Distinct()];

    private static IEnumerable<Entry> EntriesOf(string name, SmsCodePolicyOptions policy)
    {
        (string Kind, string Template, string Placeholder)[] templates =
        [
            (nameof(policy.SendFlagKey), policy.SendFlagKey, SmsCodePolicyOptions.MobilePlaceholder),
            (nameof(policy.CodeKey), policy.CodeKey, SmsCodePolicyOptions.MobilePlaceholder),
            (nameof(policy.CodeStateKey), policy.CodeStateKey, SmsCodePolicyOptions.MobilePlaceholder),
            (nameof(policy.HourCounterKey), policy.HourCounterKey, SmsCodePolicyOptions.MobilePlaceholder),
            (nameof(policy.DayCounterKey), policy.DayCounterKey, SmsCodePolicyOptions.MobilePlaceholder),
            (nameof(policy.VerifyFailureCounterKey), policy.VerifyFailureCounterKey, SmsCodePolicyOptions.MobilePlaceholder),
            (nameof(policy.IpCounterKey), policy.IpCounterKey, SmsCodePolicyOptions.IpPlaceholder),
            (nameof(policy.SpendCounterKey), policy.SpendCounterKey, SmsCodePolicyOptions.PolicyPlaceholder),
        ];
        if (policy.Blocks.IsOn)
        {
            templates = [.. templates, .. Blocks.BlockOptionsValidator.TemplatesOf(policy.Blocks)];
        }

        foreach (var (kind, text, placeholder) in templates)
        {
            if (SmsCodeKeyTemplate.TryParse(text, placeholder, out _) is not { } template)
            {
                continue; // reported by the validator
            }

            yield return placeholder switch
            {
                // A block is digits: read as a mobile, whose form covers it.
                SmsCodePolicyOptions.MobilePlaceholder or SmsCodeBlockOptions.BlockPlaceholder => new Entry(name, kind, text, policy.Database, template.Prefix, template.Suffix, Placeholder.Mobile),
                SmsCodePolicyOptions.IpPlaceholder => new Entry(name, kind, text, policy.Database, template.Prefix, template.Suffix, Placeholder.Ip),
                _ => new Entry(name, kind, text, policy.Database, template.Build(name), string.Empty, Placeholder.None),
            };
        }

        if (!string.IsNullOrEmpty(policy.AuditStreamKey))
        {
            yield return new Entry(name, nameof(policy.AuditStreamKey), policy.AuditStreamKey, policy.Database, policy.AuditStreamKey, string.Empty, Placeholder.None);
        }
    }

    private sealed record Entry(string Policy, string Kind, string Template, int Database, string Prefix, string Suffix, Placeholder Value)
    {
        public CharNfa Automaton()
        {
            var nfa = new CharNfa();
            nfa.Start = nfa.AddState();
            var state = nfa.AddLiteral(nfa.Start, Prefix);
            state = Value switch
            {
                Placeholder.Mobile => MobileForm.AddMobiles(nfa, state),
                Placeholder.Ip => AddAddresses(nfa, state),
                _ => state,
            };
            nfa.Accept(nfa.AddLiteral(state, Suffix));
            return nfa;
        }

        private static int AddAddresses(CharNfa nfa, int from)
        {
            var chars = nfa.AddState();
            nfa.AddEdge(from, chars, IsAddressChar);
            nfa.AddEdge(chars, chars, IsAddressChar);
            return chars;
        }

        private static bool IsAddressChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or ':' or '/' or '%';
    }
}
