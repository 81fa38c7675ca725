using Gateway.Middleware.Configuration;
using StackExchange.Redis;

namespace Gateway.Middleware.Store;

/// <summary>
/// On Redis Cluster a script may only touch keys of one hash slot, and only database 0 exists. Checks that one
/// mobile's flag, code and counters share a slot, which takes a hash tag around the mobile in every template:
/// <c>send_flag_{{{mobile}}}</c> gives <c>send_flag_{13800138000}</c>.
/// </summary>
internal sealed class RedisClusterPolicyCheck : ISmsCodePolicyCheck
{
    private const string SampleMobile = "13800138000";
    private const string OtherSampleMobile = "19900000001";
    private readonly RedisConnection _redis;

    public RedisClusterPolicyCheck(RedisConnection redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _redis = redis;
    }

    public bool IsReady => !_redis.IsConfigured || _redis.Deployment != RedisDeployment.Unknown;

    public IEnumerable<string> Check(SmsCodePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!_redis.IsConfigured || _redis.Deployment != RedisDeployment.Cluster)
        {
            yield break;
        }

        var key = $"{SmsCodeGateOptions.SectionName}:{nameof(SmsCodeGateOptions.Policies)}:{policy.Name}";
        if (policy.Database != 0)
        {
            yield return $"{key}:{nameof(SmsCodePolicyOptions.Database)} must be 0 on Redis Cluster, which has no other database (was {policy.Database}).";
        }

        if (policy.AuditStreamKey is not null)
        {
            yield return $"{key}:{nameof(SmsCodePolicyOptions.AuditStreamKey)} is not supported on Redis Cluster: one stream for the policy cannot share every mobile's hash slot, so the issue script cannot append to it.";
        }

        if (policy.Blocks is { Guards: true } || policy.Blocks is { MaxPerHour: > 0 })
        {
            // A block's counters cannot share every mobile's slot, and the issue script counts them with the mobile's
            // keys; counting them on the side (a second call per send) is not built yet: refused rather than uncounted.
            yield return $"{key}:{nameof(SmsCodePolicyOptions.Blocks)} is not supported on Redis Cluster yet: a number block's counters cannot share every mobile's hash slot, so the issue script cannot count them.";
        }

        var templates = new List<(string Name, SmsCodeKeyTemplate Template)>
        {
            (nameof(SmsCodePolicyOptions.SendFlagKey), policy.SendFlagKey),
            (nameof(SmsCodePolicyOptions.CodeKey), policy.CodeKey),
            (nameof(SmsCodePolicyOptions.CodeStateKey), policy.CodeStateKey),
        };
        if (policy.MaxPerHour > 0)
        {
            templates.Add((nameof(SmsCodePolicyOptions.HourCounterKey), policy.HourCounterKey));
        }

        if (policy.MaxVerifyFailuresPerDay > 0)
        {
            templates.Add((nameof(SmsCodePolicyOptions.VerifyFailureCounterKey), policy.VerifyFailureCounterKey));
        }

        if (policy.MaxPerDay > 0)
        {
            templates.Add((nameof(SmsCodePolicyOptions.DayCounterKey), policy.DayCounterKey));
        }

        var connection = _redis.Multiplexer;
        foreach (var (name, template) in templates.Skip(1))
        {
            if (!SameSlot(connection, templates[0].Template, template))
            {
                yield return $"{key}:{name} ('{template.Template}') does not share a hash slot with {templates[0].Name} ('{templates[0].Template.Template}') for every mobile, " +
                    "so one atomic script cannot touch both on Redis Cluster. Put the mobile in a hash tag in every template, " +
                    "e.g. 'send_flag_{{{mobile}}}' and 'sms_{{{mobile}}}'.";
            }
        }
    }

    private static bool SameSlot(IConnectionMultiplexer connection, SmsCodeKeyTemplate first, SmsCodeKeyTemplate second) =>
        connection.GetHashSlot(first.Build(SampleMobile)) == connection.GetHashSlot(second.Build(SampleMobile))
        && connection.GetHashSlot(first.Build(OtherSampleMobile)) == connection.GetHashSlot(second.Build(OtherSampleMobile));
}
