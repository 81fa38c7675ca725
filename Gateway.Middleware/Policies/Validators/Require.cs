namespace Gateway.Middleware.Policies.Validators;

/// <summary>The range checks the validators share, each failure one line that starts with the key.</summary>
internal static class Require
{
    public static void Positive(IList<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key} must be positive (was {value}).");
        }
    }

    public static void NotNegative(IList<string> failures, string key, int value)
    {
        if (value < 0)
        {
            failures.Add($"{key} must be 0 (off) or positive (was {value}).");
        }
    }

    public static void Between(IList<string> failures, string key, int value, int min, int max, string unit = "")
    {
        if (value < min || value > max)
        {
            failures.Add($"{key} must be between {min} and {max}{unit} (was {value}).");
        }
    }

    /// <summary>True when <paramref name="name"/> is an HTTP header name (an RFC 9110 token).</summary>
    public static bool IsHeaderName(string name)
    {
        foreach (var c in name)
        {
            if (c is <= ' ' or >= (char)127 or '(' or ')' or '<' or '>' or '@' or ',' or ';' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '=' or '{' or '}')
            {
                return false;
            }
        }

        return true;
    }
}
