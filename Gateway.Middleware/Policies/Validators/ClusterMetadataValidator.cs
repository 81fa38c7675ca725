using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;

namespace Gateway.Middleware.Policies.Validators;

/// <summary>
/// Refuses cluster metadata keys that look like the gate's but are not (<c>SmsProvder</c>), and a <c>SmsProvider</c>
/// mark that is neither <c>true</c> nor <c>false</c>. Run by YARP, at start-up and on every reload.
/// </summary>
internal sealed class ClusterMetadataValidator : IClusterValidator
{
    public ValueTask ValidateAsync(ClusterConfig cluster, IList<Exception> errors)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(errors);
        if (cluster.Metadata is not { Count: > 0 } metadata)
        {
            return ValueTask.CompletedTask;
        }

        var owner = $"Cluster '{cluster.ClusterId}'";
        GateMetadataKeys.AddMistakes(owner, metadata, GateMetadataKeys.Cluster, errors);

        if (metadata.TryGetValue(SmsCodeGateMetadata.ProviderClusterName, out var mark) && !bool.TryParse(mark, out _))
        {
            errors.Add(new ArgumentException($"{owner}: Metadata:{SmsCodeGateMetadata.ProviderClusterName} must be true or false (was '{mark}')."));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>True when <paramref name="cluster"/> is marked as fronting an SMS provider.</summary>
    public static bool IsProvider(ClusterConfig cluster) => SmsCodeGateMetadata.IsProviderCluster(cluster.Metadata);
}
