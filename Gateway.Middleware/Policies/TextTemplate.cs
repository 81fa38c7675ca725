using System.Text;

namespace Gateway.Middleware.Policies;

/// <summary>
/// A parsed text template: literal text with named placeholders such as <c>{code}</c>, and <c>{{</c> and <c>}}</c> for
/// literal braces. Used for answer bodies and for the request to the SMS provider.
/// </summary>
internal sealed class TextTemplate
{
    private readonly Part[] _parts;

    private TextTemplate(Part[] parts)
    {
        _parts = parts;
        FixedText = parts.All(p => p.Placeholder is null) ? string.Concat(parts.Select(p => p.Text)) : null;
    }

    /// <summary>True when the template has <paramref name="placeholder"/>.</summary>
    public bool Uses(string placeholder) => _parts.Any(p => p.Placeholder == placeholder);

    /// <summary>The text when the template has no placeholder, else null.</summary>
    public string? FixedText { get; }

    /// <summary>Parses <paramref name="template"/>; the error names what is wrong, or is null when it is valid.</summary>
    public static TextTemplate? TryParse(string template, IReadOnlyCollection<string> placeholders, out string? error)
    {
        ArgumentNullException.ThrowIfNull(template);
        var parts = new List<Part>();
        var text = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                text.Append(c);
                i++;
            }
            else if (c == '{')
            {
                var end = template.IndexOf('}', i);
                var name = end < 0 ? template[i..] : template[i..(end + 1)];
                if (end < 0 || !placeholders.Contains(name))
                {
                    error = $"has an unknown placeholder '{name}' at position {i}; it may use {string.Join(", ", placeholders)}, and '{{{{' or '}}}}' for a literal brace";
                    return null;
                }

                parts.Add(new Part(text.ToString(), null));
                text.Clear();
                parts.Add(new Part(string.Empty, name));
                i = end;
            }
            else if (c == '}')
            {
                error = $"has an unpaired '}}' at position {i}; write '}}}}' for a literal brace";
                return null;
            }
            else
            {
                text.Append(c);
            }
        }

        parts.Add(new Part(text.ToString(), null));
        error = null;
        return new TextTemplate([.. parts.Where(p => p.Text.Length > 0 || p.Placeholder is not null)]);
    }

    /// <summary>The text with each placeholder replaced by <paramref name="valueOf"/>'s value for it.</summary>
    public string Render<TState>(TState state, Func<TState, string, string> valueOf)
    {
        if (FixedText is not null)
        {
            return FixedText;
        }

        var text = new StringBuilder();
        foreach (var part in _parts)
        {
            text.Append(part.Placeholder is null ? part.Text : valueOf(state, part.Placeholder));
        }

        return text.ToString();
    }

    private readonly record struct Part(string Text, string? Placeholder);
}
