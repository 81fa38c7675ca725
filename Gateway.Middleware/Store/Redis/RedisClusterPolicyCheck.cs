using Gateway.Middleware.Policies;
using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// On Redis Cluster a script may only touch keys of one hash slot, and only database 0 exists. Checks that one
/// mobile's flag, code, counters and remembered key share a slot, which takes a hash tag around the mobile in every
/// template: <c>send_flag_{{{mobile}}}</c> gives <c>send_flag_{13800138000}</c>; and that one number block's keys share
/// a slot of their own (<see cref="RedisBlockCounters"/>), with a hash tag around the block: <c>sms_block_{{{block}}}</c>.
/// </summary>
internal sealed class RedisClusterPolicyCheck : ISmsCodePolicyCheck
{
    private const string SampleMobile = "13800138000";
    private const string OtherSampleMobile = "19900000001";
    private const string SampleBlock = "8613800";
    private const string OtherSampleBlock = "4479460";
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

        foreach (var error in BlockErrors(policy.Blocks, $"{key}:{nameof(SmsCodePolicyOptions.Blocks)}"))
        {
            yield return error;
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

        if (policy.Blocks is { } blocks)
        {
            // The mobile's scripts read it (the issue script for the guard, the verify scripts write it).
            templates.Add(($"{nameof(SmsCodePolicyOptions.Blocks)}:{nameof(SmsCodeBlockOptions.RememberedKey)}", blocks.RememberedKey));
        }

        var connection = _redis.Multiplexer;
        foreach (var (name, template) in templates.Skip(1))
        {
            if (!SameSlot(connection, templates[0].Template, template, SampleMobile, OtherSampleMobile))
            {
                yield return $"{key}:{name} ('{template.Template}') does not share a hash slot with {templates[0].Name} ('{templates[0].Template.Template}') for every mobile, " +
                    "so one atomic script cannot touch both on Redis Cluster. Put the mobile in a hash tag in every template, " +
                    "e.g. 'send_flag_{{{mobile}}}' and 'sms_{{{mobile}}}'.";
            }
        }
    }

    /// <summary>The block's keys that its rules touch must share one slot for every block: its script runs on them at once.</summary>
    private IEnumerable<string> BlockErrors(BlockPolicy? blocks, string key)
    {
        if (blocks is null)
        {
            yield break;
        }

        var templates = new List<(string Name, SmsCodeKeyTemplate Template)>();
        if (blocks.Guards)
        {
            templates.Add((nameof(SmsCodeBlockOptions.CounterKey), blocks.CounterKey));
            templates.Add((nameof(SmsCodeBlockOptions.BlockedKey), blocks.BlockedKey));
        }

        if (blocks.MaxPerHour > 0)
        {
            templates.Add((nameof(SmsCodeBlockOptions.HourCounterKey), blocks.HourCounterKey));
        }

        foreach (var (name, template) in templates.Skip(1))
        {
            if (!SameSlot(_redis.Multiplexer, templates[0].Template, template, SampleBlock, OtherSampleBlock))
            {
                yield return $"{key}:{name} ('{template.Template}') does not share a hash slot with {templates[0].Name} ('{templates[0].Template.Template}') for every block, " +
                    "so one atomic script cannot touch both on Redis Cluster. Put the block in a hash tag in every block template, " +
                    "e.g. 'sms_block_{{{block}}}' and 'sms_blocked_{{{block}}}'.";
            }
        }
    }

    private static bool SameSlot(IConnectionMultiplexer connection, SmsCodeKeyTemplate first, SmsCodeKeyTemplate second, string sample, string otherSample) =>
        connection.GetHashSlot(first.Build(sample)) == connection.GetHashSlot(second.Build(sample))
        && connection.GetHashSlot(first.Build(otherSample)) == connection.GetHashSlot(second.Build(otherSample));
}
