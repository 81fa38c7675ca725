using System.Text;

namespace Gateway.Middleware.Requests;

/// <summary>
/// Finds a field in a query string or a form body exactly as Python's <c>urllib.parse.parse_qsl</c> does for
/// Django's <c>QueryDict</c> (<c>keep_blank_values=True</c>): fields split on <c>&amp;</c> only, name and value on
/// the first <c>=</c> (a field without one has an empty value), <c>+</c> is a space, <c>%XX</c> with two hex digits
/// is a byte (an invalid escape stays as it is), the bytes are UTF-8, and names compare exactly (case matters).
/// ASP.NET Core's own parsers compare names ignoring case (so <c>MOBILE</c> would be read as <c>mobile</c>) and
/// skip a leading <c>?</c>: Django does neither.
/// </summary>
internal static class UrlEncodedFields
{
    /// <summary>The one value of <paramref name="name"/>: missing when absent or empty, ambiguous when given more than once.</summary>
    public static RequestValue Find(ReadOnlySpan<char> text, string name)
    {
        var count = 0;
        string? value = null;
        foreach (var range in text.Split('&'))
        {
            var field = text[range];
            if (field.IsEmpty)
            {
                continue;
            }

            var equals = field.IndexOf('=');
            var rawName = equals < 0 ? field : field[..equals];
            if (!Decode(rawName).Equals(name, StringComparison.Ordinal))
            {
                continue;
            }

            count++;
            value = equals < 0 ? string.Empty : Decode(field[(equals + 1)..]);
        }

        return count switch
        {
            0 => RequestValue.Missing,
            1 when value!.Length > 0 => new(RequestValueOutcome.Found, value),
            1 => RequestValue.Missing,
            _ => new(RequestValueOutcome.Ambiguous, null),
        };
    }

    /// <summary>Python's <c>unquote(text.replace('+', ' '))</c>, decoding the bytes as UTF-8 with replacement characters.</summary>
    internal static string Decode(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAny('+', '%') < 0)
        {
            return text.ToString();
        }

        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                bytes[length++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else if (c == '+')
            {
                bytes[length++] = (byte)' ';
            }
            else if (c < 0x80)
            {
                bytes[length++] = (byte)c;
            }
            else
            {
                var end = char.IsHighSurrogate(c) && i + 1 < text.Length ? i + 2 : i + 1;
                length += Encoding.UTF8.GetBytes(text[i..end], bytes.AsSpan(length));
                i = end - 1;
            }
        }

        return Encoding.UTF8.GetString(bytes, 0, length);
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
