using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Shared;

/// <summary>
/// Binds options strictly, so that a mistake fails with the key's path instead of being ignored: the
/// configuration binder silently drops a dictionary entry whose value does not convert (a typo in one value of
/// a policy would read as "policy not defined"), and by default ignores keys that no option has. Each mistake is one
/// line naming its key (<c>SmsCodeGate:Policies:p:SendIntervall is not a setting (did you mean SendInterval?)</c>),
/// checked against the options' types first (<see cref="ConfigurationShape"/>).
/// </summary>
/// <remarks>Shared source, compiled into the library (the gate's policies) and the host (the client rate limits).</remarks>
internal static class StrictConfigurationBinder
{
    /// <summary>Binds <paramref name="section"/> onto <paramref name="target"/>, first each entry of its named dictionary.</summary>
    public static void Bind<TOptions, TEntry>(IConfiguration section, TOptions target, string dictionaryKey, IDictionary<string, TEntry> dictionary)
        where TOptions : class
        where TEntry : class, new()
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(dictionary);
        ThrowIfMisshapen(section, typeof(TOptions));
        var entries = section.GetSection(dictionaryKey).GetChildren().Select(entry => (entry.Key, Value: BindChecked(entry, new TEntry()))).ToList();

        // The whole section once more, for the options' own keys; it binds the entries a second time (and would
        // append their lists twice), so the ones bound alone above replace them.
        BindChecked(section, target);
        dictionary.Clear();
        foreach (var (key, value) in entries)
        {
            dictionary[key] = value;
        }
    }

    /// <summary>Binds <paramref name="section"/> onto <paramref name="target"/>, refusing unknown keys and values that do not convert.</summary>
    public static T Bind<T>(IConfiguration section, T target)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(section);
        ThrowIfMisshapen(section, typeof(T));
        return BindChecked(section, target);
    }

    private static void ThrowIfMisshapen(IConfiguration section, Type type)
    {
        var problems = ConfigurationShape.Check(section, type).ToList();
        if (problems.Count > 0)
        {
            // The options validation exception carries one failure per mistake, as a validator's would.
            throw new OptionsValidationException(string.Empty, type, problems);
        }
    }

    private static T BindChecked<T>(IConfiguration section, T target)
        where T : class
    {
        try
        {
            section.Bind(target, binder => binder.ErrorOnUnknownConfiguration = true);
            return target;
        }
        catch (InvalidOperationException ex)
        {
            var path = (section as IConfigurationSection)?.Path ?? "configuration";
            throw new InvalidOperationException($"{path} is invalid: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }
}
