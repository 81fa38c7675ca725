using System.Text;

namespace Gateway.Middleware.Configuration;

/// <summary>
/// A parsed key template such as <c>send_flag_{mobile}</c>: <c>{mobile}</c> is replaced by the mobile,
/// <c>{{</c> and <c>}}</c> are literal braces (so <c>sms_{{{mobile}}}</c> gives <c>sms_{13800138000}</c>).
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

    /// <summary>The key for one mobile.</summary>
    public string Build(string mobile) => string.Concat(_prefix, mobile, _suffix);

    /// <summary>Parses a template; the error names what is wrong, or is null when the template is valid.</summary>
    public static SmsCodeKeyTemplate? TryParse(string? template, out string? error)
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
            else if (string.CompareOrdinal(template, i, SmsCodePolicyOptions.MobilePlaceholder, 0, SmsCodePolicyOptions.MobilePlaceholder.Length) == 0)
            {
                placeholders++;
                current = suffix;
                i += SmsCodePolicyOptions.MobilePlaceholder.Length - 1;
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
            error = $"must contain the placeholder {SmsCodePolicyOptions.MobilePlaceholder} exactly once";
            return null;
        }

        error = null;
        return new SmsCodeKeyTemplate(template, prefix.ToString(), suffix.ToString());
    }
}
