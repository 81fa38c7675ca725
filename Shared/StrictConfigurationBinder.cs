using Microsoft.Extensions.Configuration;

namespace Gateway.Shared;

/// <summary>
/// Binds options strictly, so that a mistake fails with the key's path instead of being ignored: the
/// configuration binder silently drops a dictionary entry whose value does not convert (a typo in one value of
/// a policy would read as "policy not defined"), and by default ignores keys that no option has.
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
        var entries = section.GetSection(dictionaryKey).GetChildren().Select(entry => (entry.Key, Value: Bind(entry, new TEntry()))).ToList();

        // The whole section once more, for the options' own keys; it binds the entries a second time (and would
        // append their lists twice), so the ones bound alone above replace them.
        Bind(section, target);
        dictionary.Clear();
        foreach (var (key, value) in entries)
        {
            dictionary[key] = value;
        }
    }

    private static T Bind<T>(IConfiguration section, T target)
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
