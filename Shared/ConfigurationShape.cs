using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Gateway.Shared;

/// <summary>
/// Checks a configuration section against the type it describes, by reflection over that type's public properties:
/// every key must be a property (a misspelt key is an error naming it, with the nearest name), and every value must
/// convert to its property's type. Dictionaries of values (metadata, headers) and lists of dictionaries (YARP
/// transforms, which YARP checks itself) are free-form; dictionaries and lists of objects are checked entry by entry.
/// </summary>
/// <remarks>Shared source, compiled into the library (the gate's policies) and the host (client rate limits, YARP).</remarks>
internal static class ConfigurationShape
{
    /// <summary>What is wrong with <paramref name="section"/> read as <paramref name="type"/>, one line per key; empty when nothing is.</summary>
    /// <param name="section">The section, e.g. <c>SmsCodeGate</c> or <c>ReverseProxy:Routes:sms-codes</c>.</param>
    /// <param name="type">The type the section is read as.</param>
    /// <param name="ignored">Keys of <paramref name="type"/> that are not settings (an id that is the section's own name).</param>
    public static IEnumerable<string> Check(IConfiguration section, Type type, params string[] ignored)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(type);
        var problems = new List<string>();
        CheckObject(section, type, ignored, problems);
        return problems;
    }

    private static void CheckObject(IConfiguration section, Type type, string[] ignored, List<string> problems)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && !ignored.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
            .ToList();
        foreach (var child in section.GetChildren())
        {
            var property = properties.Find(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                problems.Add($"{child.Path} is not a setting{DidYouMean.Suffix(child.Key, properties.Select(p => p.Name))}.");
                continue;
            }

            CheckValue(child, property.PropertyType, problems);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(type))
        {
            // A scalar given as a list (YARP reads SslProtocols that way) is left to its reader.
            if (section.Value is { Length: > 0 } value && !section.GetChildren().Any() && !Converts(type, value))
            {
                problems.Add($"{section.Path} must be {Describe(type)} (was '{value}').");
            }

            return;
        }

        if (section.Value is { Length: > 0 } text)
        {
            // YARP would read "Methods": "GET" as no methods at all: a route that takes every method.
            problems.Add(DictionaryValueType(type) is null && ElementType(type) is not null
                ? $"{section.Path} must be a list, e.g. [ \"{text}\" ] (was '{text}')."
                : $"{section.Path} is a section of settings, not a value (was '{text}').");
            return;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            if (!IsScalar(valueType))
            {
                foreach (var entry in section.GetChildren())
                {
                    CheckValue(entry, valueType, problems);
                }
            }

            return;
        }

        if (ElementType(type) is { } elementType)
        {
            if (!IsScalar(elementType) && DictionaryValueType(elementType) is null)
            {
                foreach (var entry in section.GetChildren())
                {
                    CheckValue(entry, elementType, problems);
                }
            }

            return;
        }

        CheckObject(section, type, [], problems);
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Guid) || type == typeof(Uri)
            || type == typeof(Version) || typeof(Delegate).IsAssignableFrom(type);
    }

    private static bool Converts(Type type, string value)
    {
        try
        {
            if (type.IsEnum)
            {
                return Enum.TryParse(type, value, ignoreCase: true, out _);
            }

            if (type == typeof(Uri))
            {
                return Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _);
            }

            // TimeSpan reads a bare number as days: "60" meant as seconds would be a 60-day send interval.
            if (type == typeof(TimeSpan) && !value.Contains(':', StringComparison.Ordinal))
            {
                return false;
            }

            _ = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a duration such as 00:01:00",
        _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
        _ when type == typeof(Version) => "a version such as 2.0",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => "a " + type.Name,
    };

    private static Type? DictionaryValueType(Type type) =>
        (GenericArgumentsOf(type, typeof(IDictionary<,>)) ?? GenericArgumentsOf(type, typeof(IReadOnlyDictionary<,>)))?[1];

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() : GenericArgumentsOf(type, typeof(IEnumerable<>))?[0];

    private static Type[]? GenericArgumentsOf(Type type, Type definition)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == definition)
        {
            return type.GetGenericArguments();
        }

        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition)?.GetGenericArguments();
    }
}
