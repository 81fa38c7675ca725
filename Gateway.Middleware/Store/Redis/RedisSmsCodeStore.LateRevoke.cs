using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>The Redis store: undoing an issue call that the gate answered 503 for, should it still run.</summary>
internal sealed partial class RedisSmsCodeStore
{
    /// <summary>
    /// After the gate gave up on an issue call, waits for its real outcome and revokes unless it was refused or never
    /// reached Redis (the client library says so of a call it could not send: Redis stopped, the connection gone). When
    /// the outcome stays unknown the revoke is sent anyway: it deletes only what this request's nonce wrote, and on the
    /// same connection it runs after the issue call if that ever ran.
    /// </summary>
    private async Task RevokeIfIssuedLateAsync(Task<RedisResult> call, SmsCodeIssueRequest request)
    {
        try
        {
            if (!ResultOf(await call.ConfigureAwait(false)).IsIssued)
            {
                return;
            }
        }
        catch (RedisServerException)
        {
            // Redis answered with an error: the script stopped in its checks, before any write.
            return;
        }
        catch (Exception ex) when (RedisFailure.NeverSent(ex) is { } status)
        {
            Log.LateIssueNeverSent(_logger, RedisFailure.TypeOf(ex), status.ToString());
            return;
        }
        catch (Exception ex) when (ex is SmsCodeStoreUnavailableException || RedisFailure.Is(ex))
        {
            Log.LateIssueUnknown(_logger, ex.GetType().Name);
        }

        try
        {
            var revoked = await RevokeAsync(request).ConfigureAwait(false);
            Log.LateIssueRevoked(_logger, revoked);
        }
        catch (SmsCodeStoreUnavailableException ex)
        {
            Log.LateRevokeFailed(_logger, ex.Message);
        }
    }
}
