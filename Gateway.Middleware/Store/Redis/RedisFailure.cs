using StackExchange.Redis;

namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// Which exceptions of a Redis call mean "the store is unavailable" (answered 503; the breaker opened unless the
/// error is about one key's data, see <see cref="IsDataError"/>), and the
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
    public const string Failover = Sentinel.SentinelFailoverRefusal.ErrorType;
    public const string Other = SmsCodeStoreUnavailableException.OtherErrorType;

    /// <summary>Redis ran the call and refused one key's contents: WRONGTYPE, not an integer, a script error over them.</summary>
    public const string Data = "data";

    // Errors by which Redis says the server, not one key, cannot serve: these still open the breaker. Inside a script
    // Redis reports them with the script's position, like the data errors, so they are told apart first.
    private static readonly string[] ServerStates = ["BUSY", "LOADING", "MASTERDOWN", "READONLY", "NOAUTH", "NOPERM", "OOM", "MISCONF", "CLUSTERDOWN", "TRYAGAIN", "NOREPLICAS", "UNBLOCKED", "EXECABORT", "NOSCRIPT"];

    public static bool Is(Exception exception) => exception is RedisException or RedisCommandException or TimeoutException
        or ObjectDisposedException or InvalidCastException or IndexOutOfRangeException;

    /// <summary>
    /// Whether Redis refused the call over the contents of a key (a value of the wrong type, a counter that is not a
    /// number, a script stopped by either), not because the connection or the server failed. Such an error is that
    /// request's alone: it must not open the breaker, or anyone who can put one bad value in a key stops every mobile.
    /// </summary>
    public static bool IsDataError(Exception exception)
    {
        if (exception is not RedisServerException server)
        {
            return false;
        }

        var message = server.Message;
        foreach (var state in ServerStates)
        {
            // Redis 7 starts a script's error with the command's own; Redis 6 wraps it as "...: -READONLY ...".
            if (message.StartsWith(state, StringComparison.Ordinal) || message.Contains("-" + state + " ", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return message.StartsWith("WRONGTYPE", StringComparison.Ordinal)
            || message.Contains("not an integer", StringComparison.Ordinal)
            || message.Contains("not a valid float", StringComparison.Ordinal)
            || message.Contains("would overflow", StringComparison.Ordinal)
            || message.Contains("user_script", StringComparison.Ordinal);
    }

    public static string TypeOf(Exception exception) => exception switch
    {
        RedisServerException when IsDataError(exception) => Data,
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
