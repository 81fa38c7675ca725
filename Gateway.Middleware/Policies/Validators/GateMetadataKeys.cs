using Gateway.Middleware.Routing;
using Gateway.Shared;

namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// The gate's metadata keys, and what is wrong with a key that looks like one but is not: a misspelt
/// <c>SmsCodePolicyy</c> would leave a send route ungated, a plain YARP route to the SMS provider.
/// </summary>
internal static class GateMetadataKeys
{
    /// <summary>The keys the gate reads on a route.</summary>
    public static readonly string[] Route =
    [
        SmsCodeGateMetadata.PolicyName,
        SmsCodeGateMetadata.VerifyPolicyName,
        SmsCodeGateMetadata.VerifyEndpointName,
        SmsCodeGateMetadata.MobileFromName,
        SmsCodeGateMetadata.ProviderUnmarkedName,
    ];

    /// <summary>The keys the gate reads on a cluster.</summary>
    public static readonly string[] Cluster = [SmsCodeGateMetadata.ProviderClusterName];

    /// <summary>Written by the gate itself (<see cref="GatedRouteMethodsFilter"/>), not by an operator.</summary>
    private static readonly string[] Internal = [GatedRouteMethodsFilter.AllowedMethodsMetadata];

    private static readonly string[] All = [.. Route, .. Cluster];

    /// <summary>A key holding one of these is taken for a gate key even when further off by edit distance, e.g. <c>CodePolicy</c>.</summary>
    private static readonly string[] Stems = ["CodePolicy", "VerifyPolicy", "VerifyEndpoint", "MobileFrom", "ProviderUnmarked"];

    /// <summary>Off by this many edits, a key that does not start with <c>Sms</c> is taken for a misspelt gate key.</summary>
    private const int NearMiss = 2;

    /// <summary>Adds to <paramref name="errors"/> one refusal for each key of <paramref name="metadata"/> that is a <see cref="Mistake"/>.</summary>
    public static void AddMistakes(string owner, IReadOnlyDictionary<string, string> metadata, string[] known, IList<Exception> errors)
    {
        foreach (var key in metadata.Keys)
        {
            if (Mistake(owner, key, known) is { } mistake)
            {
                errors.Add(new ArgumentException(mistake));
            }
        }
    }

    /// <summary>
    /// Why <paramref name="key"/>, found in the metadata of <paramref name="owner"/> (a route or a cluster, whose own
    /// keys are <paramref name="known"/>), is refused; null when it is one of the gate's keys or like none of them.
    /// </summary>
    public static string? Mistake(string owner, string key, string[] known)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (known.Contains(key, StringComparer.Ordinal) || Internal.Contains(key, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var prefix = $"{owner}: Metadata:{key}";
        if (All.FirstOrDefault(k => k.Equals(key, StringComparison.OrdinalIgnoreCase)) is { } same)
        {
            if (!known.Contains(same, StringComparer.Ordinal))
            {
                return Route.Contains(same, StringComparer.Ordinal)
                    ? $"{prefix} is a route key; the gate reads it on a route's Metadata, not a cluster's."
                    : $"{prefix} is a cluster key; mark the cluster itself: ReverseProxy:Clusters:<id>:Metadata:{same}.";
            }

            return $"{prefix} is not a gate key as written: spell it {same}, with that case.";
        }

        var nearest = DidYouMean.Nearest(key, known);
        var lookalike = key.StartsWith("Sms", StringComparison.OrdinalIgnoreCase)
            || known.Any(k => DidYouMean.Distance(key, k) <= NearMiss)
            || Stems.Any(stem => key.Contains(stem, StringComparison.OrdinalIgnoreCase));
        if (!lookalike)
        {
            return null;
        }

        var consequence = known == Cluster ? "a misspelt mark would leave the provider cluster unmarked" : "a misspelt gate key would leave the route ungated";
        return nearest is not null
            ? $"{prefix} is not a gate key (did you mean {nearest}?); {consequence}."
            : $"{prefix} looks like a gate key but is not one; the gate reads {string.Join(", ", known)} here.";
    }
}
