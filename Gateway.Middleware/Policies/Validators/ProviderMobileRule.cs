using System.Text.RegularExpressions;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// A send route must tell the provider the mobile, or the gate stores a code and reports "sent" for an SMS to
/// nobody. The provider gets none of the client's body, query string or headers (see
/// <c>SmsCodeRequestTransform</c>), so the mobile reaches it only through: the <c>Provider:Path</c> or
/// <c>Provider:Body</c> template's <c>{mobile}</c>; else, without <c>Provider:Path</c>, the route's own path when
/// the mobile is a route value its path transforms keep; a <c>RequestHeaderRouteValue</c> transform of that route
/// value; or the mobile's own header when <c>ProviderRequestHeaders</c> passes it on.
/// </summary>
internal static class ProviderMobileRule
{
    /// <summary>Why the provider would not learn the mobile on <paramref name="route"/>; null when it would.</summary>
    public static string? Check(RouteConfig route, SmsCodePolicy policy, RequestValueSource mobileFrom)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(mobileFrom);
        var provider = policy.ProviderOptions;
        if (UsesMobile(provider?.Path) || UsesMobile(provider?.Body))
        {
            return null;
        }

        var transforms = route.Transforms ?? [];
        var fromRoute = mobileFrom.Location == RequestValueLocation.Route;
        if (fromRoute && provider?.Path is null && PathKeeps(transforms, mobileFrom.Name))
        {
            return null;
        }

        if ((fromRoute && transforms.Any(t => Value(t, "RequestHeaderRouteValue") is not null && Value(t, "RouteValueKey") is { } key && key.Equals(mobileFrom.Name, StringComparison.OrdinalIgnoreCase)))
            || (mobileFrom.Location == RequestValueLocation.Header && policy.ProviderRequestHeaders.Contains(mobileFrom.Name, StringComparer.OrdinalIgnoreCase)))
        {
            return null;
        }

        var why = !fromRoute ? $"the mobile comes from {mobileFrom}, which the provider never gets"
            : provider?.Path is not null ? "Provider:Path replaces the route's path and has no {mobile}"
            : $"the route's path transform drops {{{mobileFrom.Name}}}";
        var section = $"{SmsCodeGateOptions.SectionName}:{nameof(SmsCodeGateOptions.Policies)}:{policy.Name}:{nameof(SmsCodePolicyOptions.Provider)}";
        return $"Route '{route.RouteId}': the SMS provider would not learn the mobile ({why}); put {{mobile}} in {section}:Path (e.g. \"/send/{{mobile}}\") or {section}:Body.";
    }

    /// <summary>True when <paramref name="template"/>, a provider path or body template, carries the mobile.</summary>
    private static bool UsesMobile(string? template) =>
        template is not null && TextTemplate.TryParse(template, SmsCodeProviderOptions.Placeholders, out _)?.Uses(SmsCodeProviderOptions.MobilePlaceholder) == true;

    /// <summary>True when the forwarded path still holds route value <paramref name="name"/> after the route's path transforms.</summary>
    private static bool PathKeeps(IReadOnlyList<IReadOnlyDictionary<string, string>> transforms, string name)
    {
        var keeps = true;
        foreach (var transform in transforms)
        {
            if (Value(transform, "PathPattern") is { } pattern)
            {
                keeps = RouteValue(name).IsMatch(pattern);
            }
            else if (transform.ContainsKey("PathSet"))
            {
                keeps = false;
            }
        }

        return keeps;
    }

    private static string? Value(IReadOnlyDictionary<string, string> transform, string key) =>
        transform.FirstOrDefault(pair => pair.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary><c>{name}</c>, <c>{*name}</c>, <c>{**name}</c>, with or without a constraint.</summary>
    private static Regex RouteValue(string name) =>
        new(@"\{\*{0,2}" + Regex.Escape(name) + @"(?:[:=?][^}]*)?\}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
