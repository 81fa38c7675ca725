using StackExchange.Redis;

namespace Gateway.Middleware.Store;

/// <summary>
/// Which exceptions of a Redis call mean "the store is unavailable" (answered 503, breaker opened), and the
/// <c>error.type</c> each is counted under. <see cref="RedisCommandException"/> (a cross-slot call, a database that
/// Cluster lacks) is not a <see cref="RedisException"/>, so it is named here too: no Redis failure may become a 500.
/// </summary>
internal static class RedisFailure
{
    public const string BreakerOpen = "breaker_open";
    public const string Timeout = "timeout";
    public const string Connection = "connection";
    public const string ServerError = "server_error";
    public const string Command = "command";
    public const string Failover = "failover";
    public const string Other = "other";

    public static bool Is(Exception exception) => exception is RedisException or RedisCommandException or TimeoutException
        or ObjectDisposedException or InvalidCastException or IndexOutOfRangeException;

    public static string TypeOf(Exception exception) => exception switch
    {
        RedisTimeoutException or TimeoutException => Timeout,
        RedisConnectionException or ObjectDisposedException => Connection,
        RedisServerException => ServerError,
        RedisCommandException => Command,
        _ => Other,
    };

    /// <summary>
    /// The client library's status of a call that failed without reaching Redis (not yet written, or waiting in its
    /// backlog: Redis stopped, the connection gone), or null when it may have reached Redis.
    /// </summary>
    public static CommandStatus? NeverSent(Exception exception)
    {
        var status = exception switch
        {
            RedisConnectionException connection => connection.CommandStatus,
            RedisTimeoutException timeout => timeout.Commandstatus,
            _ => CommandStatus.Unknown,
        };
        return status is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog ? status : null;
    }

    /// <summary>
    /// The exception the gate answers 503 for. Only the failure's kind is kept: Redis's own text may name keys.
    /// <paramref name="sentCall"/> is the call that failed after it was sent, whose outcome may still come.
    /// </summary>
    public static SmsCodeStoreUnavailableException Unavailable(string message, Exception exception, Task<RedisResult>? sentCall = null) =>
        new(message, TypeOf(exception), exception) { SentCall = sentCall };
}
