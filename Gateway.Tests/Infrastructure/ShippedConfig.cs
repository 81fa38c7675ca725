using System.Text.Json.Nodes;

namespace Gateway.Tests.Infrastructure;

/// <summary>The repository's <c>yarp.json</c>, as shipped beside the built gateway, for tests that start from it.</summary>
public static class ShippedConfig
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "yarp.json");

    public static JsonObject Load() => JsonNode.Parse(File.ReadAllText(Path))!.AsObject();

    /// <summary>
    /// Merges <paramref name="fragment"/> into <paramref name="target"/> as the docs describe a recipe's merge: objects
    /// key by key (recursively), anything else (a value, a list) replaces what was there.
    /// </summary>
    public static void Merge(JsonObject target, JsonObject fragment)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(fragment);
        foreach (var (key, value) in fragment)
        {
            if (value is JsonObject inner && target[key] is JsonObject existing)
            {
                Merge(existing, inner);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>Writes <paramref name="config"/> to a new file in <paramref name="directory"/> and returns its path.</summary>
    public static string Write(JsonObject config, string directory)
    {
        var path = System.IO.Path.Combine(directory, $"gateway-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }
}
