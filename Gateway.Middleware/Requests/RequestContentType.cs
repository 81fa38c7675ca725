using Microsoft.AspNetCore.Http;

namespace Gateway.Middleware.Requests;

/// <summary>What a request's <c>Content-Type</c> says, read the way the legacy app behind the gate reads it.</summary>
internal enum RequestMediaKind
{
    /// <summary>No <c>Content-Type</c> header.</summary>
    None,

    /// <summary><c>application/x-www-form-urlencoded</c>.</summary>
    Form,

    /// <summary><c>application/json</c> or <c>application/*+json</c>.</summary>
    Json,

    /// <summary>Any other media type that parses: the gate reads no value from such a body.</summary>
    Other,

    /// <summary>A charset other than UTF-8 or US-ASCII, in a spelling the gate cannot be sure of, or empty.</summary>
    UnsupportedCharset,

    /// <summary>
    /// Given twice, not one plain <c>type/subtype</c> (a wildcard, a comma, a quote or backslash in it), a parameter
    /// the gate cannot parse the way Python does, or the same parameter twice.
    /// </summary>
    Unparsable,
}

/// <summary>
/// Reads the <c>Content-Type</c> of a request the way Django and Django REST Framework do (<c>cgi.parse_header</c>
/// for the charset, which Django looks up with <c>codecs.lookup</c> and then decodes the query and the body with;
/// DRF's lower-cased <c>type/subtype</c> to pick its parser), and refuses whatever it cannot read exactly so.
/// Django takes the last of two <c>Content-Type</c> headers and the last of two <c>charset</c> parameters, and it
/// honours any charset Python knows (<c>utf-7</c>, <c>utf-16</c>, <c>cp500</c>...): the gate, reading UTF-8,
/// would count one mobile while the app checks another. Only spellings that Python surely maps to UTF-8 or ASCII
/// are accepted; the rest is refused rather than guessed at.
/// </summary>
internal static class RequestContentType
{
    /// <summary>What the gate forwards for a form body it read: what it read, stated so that the app cannot decode it another way.</summary>
    public const string CanonicalForm = "application/x-www-form-urlencoded; charset=utf-8";

    /// <summary>What the gate forwards for a JSON body it read.</summary>
    public const string CanonicalJson = "application/json; charset=utf-8";

    // Lower-cased; each is a name Python's codecs.lookup maps to utf_8 or ascii, and decodes the same bytes the same way
    // for everything the gate reads (ASCII names and values). Aliases such as u8, cp65001 or utf-8-sig (which drops a
    // BOM) are refused: a client has no need of them.
    private static readonly string[] AcceptedCharsets = ["utf-8", "utf8", "utf_8", "us-ascii", "ascii"];

    public static RequestMediaKind Read(HttpRequest request)
    {
        var values = request.Headers.ContentType;
        return values.Count switch
        {
            0 => RequestMediaKind.None,
            1 => Parse(values[0]),
            _ => RequestMediaKind.Unparsable,
        };
    }

    /// <summary>Parses one <c>Content-Type</c> value.</summary>
    internal static RequestMediaKind Parse(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Contains('\\') || !IsVisibleAscii(value))
        {
            // A backslash is where cgi.parse_header and Django's multipart parse_header split differently.
            return RequestMediaKind.Unparsable;
        }

        var segments = Segments(value);
        var mediaType = segments[0];
        var slash = mediaType.IndexOf('/');
        if (slash <= 0 || slash == mediaType.Length - 1 || !IsToken(mediaType.AsSpan(0, slash)) || !IsToken(mediaType.AsSpan(slash + 1))
            || mediaType.Contains('*'))
        {
            // DRF matches a wildcard such as */* to its first parser: the gate would have to guess which that is.
            return RequestMediaKind.Unparsable;
        }

        string? charset = null;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < segments.Count; i++)
        {
            var parameter = segments[i];
            if (parameter.Length == 0)
            {
                continue; // "type/subtype;" - Python skips the empty parameter too
            }

            var equals = parameter.IndexOf('=');
            var name = equals > 0 ? parameter[..equals].Trim() : string.Empty;
            if (name.Length == 0 || !IsToken(name) || name.EndsWith('*') || !names.Add(name))
            {
                return RequestMediaKind.Unparsable;
            }

            if (name.Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                charset = Unquote(parameter[(equals + 1)..].Trim());
            }
        }

        if (charset is not null && !AcceptedCharsets.Contains(charset, StringComparer.OrdinalIgnoreCase))
        {
            return RequestMediaKind.UnsupportedCharset;
        }

        if (mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return RequestMediaKind.Form;
        }

        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            ? RequestMediaKind.Json
            : RequestMediaKind.Other;
    }

    /// <summary>Splits on <c>;</c> outside double quotes and trims each part, as Python's <c>cgi._parseparam</c> does.</summary>
    private static List<string> Segments(string value)
    {
        var segments = new List<string>(3);
        var start = 0;
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '"')
            {
                quoted = !quoted;
            }
            else if (value[i] == ';' && !quoted)
            {
                segments.Add(value[start..i].Trim());
                start = i + 1;
            }
        }

        segments.Add(value[start..].Trim());
        return segments;
    }

    /// <summary>Python strips one pair of surrounding double quotes from a parameter value; any other quote is refused.</summary>
    private static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }

        return value.Contains('"') ? "\"" : value;
    }

    private static bool IsVisibleAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !"!#$%&'*+-.^_`|~".Contains(c))
            {
                return false;
            }
        }

        return true;
    }
}
