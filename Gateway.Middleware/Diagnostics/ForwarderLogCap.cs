using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Middleware.Diagnostics;

/// <summary>
/// Keeps full mobiles out of YARP's logs. YARP's forwarder logs every request's destination URL at Information
/// (<c>Proxying to http://provider/send/13800138000</c>), and a host's default logging (<c>dotnet new web</c>:
/// <c>Default</c> at Information) writes it. This caps that one category at Warning, for every logging provider,
/// whatever the host's configuration says (a rule set there for the category, or for a provider, is overridden but
/// for a higher level); YARP's warnings and errors are still written. Other YARP categories log no request URL.
/// </summary>
internal sealed class ForwarderLogCap : IPostConfigureOptions<LoggerFilterOptions>
{
    /// <summary>The category of YARP's <c>HttpForwarder</c>, whose Information lines carry the destination URL.</summary>
    public const string Category = "Yarp.ReverseProxy.Forwarder.HttpForwarder";

    public const LogLevel Cap = LogLevel.Warning;

    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The most specific rule wins (a provider's own over one for all providers, the longest category, then the
        // last added): one for this exact category per provider named in any rule, and one for all, added last, at
        // the cap or at the level that would have applied if that is higher.
        var providers = options.Rules.Select(rule => rule.ProviderName).Append(null).Distinct().ToList();
        foreach (var provider in providers)
        {
            var applying = options.Rules
                .Where(rule => (rule.ProviderName == provider || rule.ProviderName is null) && Covers(rule.CategoryName))
                .OrderBy(rule => rule.ProviderName is null ? 0 : 1)
                .ThenBy(rule => rule.CategoryName?.Length ?? 0)
                .LastOrDefault();
            var level = applying?.LogLevel ?? options.MinLevel;
            options.Rules.Add(new LoggerFilterRule(provider, Category, level > Cap ? level : Cap, filter: null));
        }
    }

    private static bool Covers(string? category) =>
        category is null || Category.StartsWith(category, StringComparison.OrdinalIgnoreCase);
}
