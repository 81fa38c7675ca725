using System.Text;
using StackExchange.Redis;

namespace Gateway.Middleware.Store;

/// <summary>
/// The management side of number blocks on Redis: the blocked keys are found with SCAN on every primary (a rare
/// operator's call, never on a request's path), then read in one pipeline.
/// </summary>
internal sealed partial class RedisSmsCodeStore : ISmsCodeBlockStore
{
    public async ValueTask<IReadOnlyList<SmsCodeBlockedBlock>> ListBlockedAsync(int database, string prefix, string suffix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(suffix);
        if (!_redis.IsStarted)
        {
            await _redis.WaitUntilStartedAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var multiplexer = _redis.Multiplexer;
            var pattern = GlobEscape(prefix) + "*" + GlobEscape(suffix);
            var blocks = new List<(string Block, Task<RedisValue[]> Counts, Task<TimeSpan?> Left)>();
            var db = DatabaseOf(database);
            foreach (var server in multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica))
            {
                await foreach (var key in server.KeysAsync(database, pattern, pageSize: 500).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    var name = (string)key!;
                    var block = name.Length > prefix.Length + suffix.Length ? name[prefix.Length..^suffix.Length] : string.Empty;
                    if (block.Length > 0 && block.All(char.IsAsciiDigit))
                    {
                        blocks.Add((block, db.HashGetAsync(key, ["sends", "verified"]), db.KeyTimeToLiveAsync(key)));
                    }
                }
            }

            var listed = new List<SmsCodeBlockedBlock>(blocks.Count);
            foreach (var (block, counts, left) in blocks)
            {
                var values = await counts.WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
                if (await left.WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false) is { } ttl)
                {
                    listed.Add(new SmsCodeBlockedBlock(block, (long)values[0], (long)values[1], (long)ttl.TotalMilliseconds));
                }
            }

            return listed;
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            throw RedisFailure.Unavailable("Redis failed the listing of blocked blocks.", ex);
        }
    }

    public async ValueTask<bool> UnblockAsync(int database, string blockedKey, string counterKey, CancellationToken cancellationToken)
    {
        if (!_redis.IsStarted)
        {
            await _redis.WaitUntilStartedAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            // Two calls: on Redis Cluster the two keys share a slot only when their templates share a hash tag.
            var db = DatabaseOf(database);
            var unblocked = db.KeyDeleteAsync(blockedKey);
            var reset = db.KeyDeleteAsync(counterKey);
            await reset.WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            return await unblocked.WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            throw RedisFailure.Unavailable("Redis failed to unblock a block.", ex);
        }
    }

    /// <summary>A literal for a SCAN MATCH pattern: the glob characters escaped.</summary>
    private static string GlobEscape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
