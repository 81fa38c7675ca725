using Yarp.ReverseProxy.Transforms;

namespace Gateway.Middleware.Routing;

/// <summary>
/// Drops request headers whose name a WSGI server (gunicorn) would turn into something else, on routes to legacy
/// apps. WSGI turns a header name into <c>HTTP_</c> plus the name upper-cased with <c>-</c> as <c>_</c>, so
/// <c>X_Forwarded_For</c> arrives as <c>X-Forwarded-For</c> does (the two joined by a comma); gunicorn takes a
/// <c>SCRIPT_NAME</c> header as the app's mount point and strips it from the path, which moves a request to another
/// view than the route the gate matched; and Django REST Framework falls back to <c>HTTP_CONTENT_TYPE</c> and
/// <c>HTTP_CONTENT_LENGTH</c> when there is no real header. nginx drops every such name by default
/// (<c>underscores_in_headers off</c>); so does this, unless <c>SmsCodeGate:AllowUnderscoreHeaders</c>.
/// </summary>
internal sealed class UnderscoreHeadersTransform : RequestTransform
{
    /// <summary>Drops every name with an underscore.</summary>
    public static readonly UnderscoreHeadersTransform All = new(dropAll: true);

    /// <summary>Drops only the names that are never a header's: <see cref="AlwaysDropped"/>.</summary>
    public static readonly UnderscoreHeadersTransform Reserved = new(dropAll: false);

    private static readonly string[] AlwaysDropped = ["SCRIPT_NAME", "PATH_INFO", "CONTENT_TYPE", "CONTENT_LENGTH"];

    private readonly bool _dropAll;

    private UnderscoreHeadersTransform(bool dropAll) => _dropAll = dropAll;

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Known header names hold no underscore: one pass over the client's names, and nothing more for almost every request.
        foreach (var header in context.HttpContext.Request.Headers)
        {
            var name = header.Key;
            if (name.Contains('_') && (_dropAll || IsAlwaysDropped(name)))
            {
                context.ProxyRequest.Headers.Remove(name);
                context.ProxyRequest.Content?.Headers.Remove(name);
            }
        }

        return ValueTask.CompletedTask;
    }

    private static bool IsAlwaysDropped(string name)
    {
        foreach (var reserved in AlwaysDropped)
        {
            if (name.Equals(reserved, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
