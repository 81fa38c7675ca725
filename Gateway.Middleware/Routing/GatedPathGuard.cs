using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Yarp.ReverseProxy;

namespace Gateway.Middleware.Routing;

/// <summary>
/// Keeps other spellings of a gated path off the ungated routes. ASP.NET Core routing sees <c>%2F</c> as two
/// characters and <c>//</c> as an empty segment, so <c>/sms_codes%2F13800138000/</c> or
/// <c>//sms_codes/13800138000/</c> reach a catch-all, and a legacy app behind it (gunicorn decodes <c>%2F</c>,
/// Django's <c>$</c> matches before a trailing newline) may run its own ungated view. A path with a control
/// character is refused everywhere; a path with <c>%</c>, a backslash or <c>//</c> is decoded and folded as such
/// an app would, and refused when a gated route's path template then matches it.
/// </summary>
internal sealed class GatedPathGuard
{
    private const string ControlCharacterList =
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F";

    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(ControlCharacterList);

    private static readonly SearchValues<char> Suspicious = SearchValues.Create(ControlCharacterList + "%\\");

    private readonly IProxyStateLookup _routes;
    private readonly ConcurrentDictionary<string, TemplateMatcher> _matchers = new(StringComparer.Ordinal);

    public GatedPathGuard(IProxyStateLookup routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _routes = routes;
    }

    /// <summary>True when the path needs a closer look: the cheap test on every ungated request.</summary>
    public static bool NeedsCheck(PathString path)
    {
        var value = path.Value;
        return value is not null && (value.AsSpan().ContainsAny(Suspicious) || value.Contains("//", StringComparison.Ordinal));
    }

    /// <summary>True when the path, as a lenient backend would read it, is a gated route's path or is not a path at all.</summary>
    public bool IsGatedOrInvalid(PathString path)
    {
        var folded = Fold(path.Value!);
        if (folded.AsSpan().ContainsAny(ControlCharacters))
        {
            return true;
        }

        var candidate = new PathString(folded);
        foreach (var route in _routes.GetRoutes())
        {
            var config = route.Config;
            if (SmsCodeGateMetadata.IsGated(config.Metadata) && config.Match.Path is { } template
                && MatcherFor(template).TryMatch(candidate, new RouteValueDictionary()))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Percent-decodes once, turns backslashes into slashes and merges runs of slashes.</summary>
    internal static string Fold(string path)
    {
        var decoded = Uri.UnescapeDataString(path).Replace('\\', '/');
        var folded = new StringBuilder(decoded.Length);
        foreach (var c in decoded)
        {
            if (c != '/' || folded.Length == 0 || folded[^1] != '/')
            {
                folded.Append(c);
            }
        }

        return folded.ToString();
    }

    private TemplateMatcher MatcherFor(string template) =>
        _matchers.GetOrAdd(template, static t => new TemplateMatcher(TemplateParser.Parse(t), new RouteValueDictionary()));
}
