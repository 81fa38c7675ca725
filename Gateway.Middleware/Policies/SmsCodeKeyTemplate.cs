using System.Text;

namespace Gateway.Middleware.Policies;

/// <summary>
/// A parsed key template such as <c>send_flag_{mobile}</c>: its one placeholder (<c>{mobile}</c>, <c>{ip}</c> or
/// <c>{policy}</c>) is replaced by a value, and <c>{{</c> and <c>}}</c> are literal braces (so
/// <c>sms_{{{mobile}}}</c> gives <c>sms_{13800138000}</c>, a Redis Cluster hash tag).
/// </summary>
internal sealed class SmsCodeKeyTemplate
{
    private readonly string _prefix;
    private readonly string _suffix;

    private SmsCodeKeyTemplate(string template, string prefix, string suffix)
    {
        Template = template;
        _prefix = prefix;
        _suffix = suffix;
    }

    public string Template { get; }

    /// <summary>The literal text before the placeholder, braces unescaped.</summary>
    public string Prefix => _prefix;

    /// <summary>The literal text after the placeholder, braces unescaped.</summary>
    public string Suffix => _suffix;

    /// <summary>The key for one value of the placeholder.</summary>
    public string Build(string value) => string.Concat(_prefix, value, _suffix);

    /// <summary>Parses a template with the <c>{mobile}</c> placeholder.</summary>
    public static SmsCodeKeyTemplate? TryParse(string? template, out string? error) =>
        TryParse(template, SmsCodePolicyOptions.MobilePlaceholder, out error);

    /// <summary>Parses a template; the error names what is wrong, or is null when the template is valid.</summary>
    public static SmsCodeKeyTemplate? TryParse(string? template, string placeholder, out string? error)
    {
        if (string.IsNullOrEmpty(template))
        {
            error = "must not be empty";
            return null;
        }

        var prefix = new StringBuilder();
        var suffix = new StringBuilder();
        var current = prefix;
        var placeholders = 0;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                current.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                current.Append('}');
                i++;
            }
            else if (string.CompareOrdinal(template, i, placeholder, 0, placeholder.Length) == 0)
            {
                placeholders++;
                current = suffix;
                i += placeholder.Length - 1;
            }
            else if (c is '{' or '}')
            {
                error = $"has an unpaired '{c}' at position {i}; write '{c}{c}' for a literal brace";
                return null;
            }
            else
            {
                current.Append(c);
            }
        }

        if (placeholders != 1)
        {
            error = $"must contain the placeholder {placeholder} exactly once";
            return null;
        }

        error = null;
        return new SmsCodeKeyTemplate(template, prefix.ToString(), suffix.ToString());
    }
}
