using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>The issue and revoke scripts' feature bits and the arguments each feature passes (see issue.lua).</summary>
internal sealed partial class RedisSmsCodeStore
{
    private static IssueFeatures FeaturesOf(in SmsCodeIssueRequest request) =>
        (request.CountsAny ? IssueFeatures.Counters : IssueFeatures.None)
        | (request.Block.IsOn ? IssueFeatures.Block : IssueFeatures.None)
        | (request.Audit.IsOn ? IssueFeatures.Audit : IssueFeatures.None)
        | (request.RememberedKey is not null ? IssueFeatures.Remembered : IssueFeatures.None);

    /// <summary>How many arguments the counters and the block pass (the audit's are the issue script's alone).</summary>
    private static int FeatureValueCountOf(in SmsCodeIssueRequest request) => (request.CountsAny ? 4 : 0) + (request.Block.IsOn ? 6 : 0);

    /// <summary>Writes the counters' caps and the block's limits from <paramref name="at"/>; returns the next index.</summary>
    private static int FillFeatureValues(in SmsCodeIssueRequest request, RedisValue[] values, int at)
    {
        if (request.CountsAny)
        {
            values[at] = request.PerHour.Limit;
            values[at + 1] = request.PerDay.Limit;
            values[at + 2] = request.PerIpPerHour.Limit;
            values[at + 3] = request.SendsPerMinute.Limit;
            at += 4;
        }

        if (request.Block.IsOn)
        {
            var block = request.Block;
            values[at] = block.MaxPerHour;
            values[at + 1] = block.WindowMilliseconds;
            values[at + 2] = block.MinSends;
            values[at + 3] = block.MinConversion;
            values[at + 4] = block.BlockForMilliseconds;
            values[at + 5] = block.Shadow ? 1 : 0;
            at += 6;
        }

        return at;
    }
}
