using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using StackExchange.Redis;

namespace Gateway.Middleware.Tests.Store.Redis;

/// <summary>Which Redis errors are about one key's data (that request's 503) and which about the server (the breaker's).</summary>
public sealed class RedisFailureClassificationTests
{
    [Theory]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value script: abc, on @user_script:12.")]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value")]
    [InlineData("ERR value is not an integer or out of range script: abc, on @user_script:7.")]
    [InlineData("ERR increment or decrement would overflow")]
    [InlineData("ERR user_script:5: attempt to compare nil with number script: abc, on @user_script:5.")]
    [InlineData("ERR Error running script (call to f_abc): @user_script:12: WRONGTYPE Operation against a key holding the wrong kind of value")]
    public void IsDataError_AboutAKeysContents_TrueAndCountedAsData(string message)
    {
        var error = new RedisServerException(RedisErrorKind.Unknown, CommandFlags.None, message);

        Assert.True(RedisFailure.IsDataError(error));
        Assert.Equal(RedisFailure.Data, RedisFailure.TypeOf(error));
    }

    [Theory]
    [InlineData("READONLY You can't write against a read only replica. script: abc, on @user_script:3.")]
    [InlineData("ERR Error running script (call to f_abc): @user_script:3: @user_script: 3: -READONLY You can't write against a read only replica.")]
    [InlineData("LOADING Redis is loading the dataset in memory")]
    [InlineData("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")]
    [InlineData("OOM command not allowed when used memory > 'maxmemory'. script: abc, on @user_script:9.")]
    [InlineData("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")]
    [InlineData("NOSCRIPT No matching script. Please use EVAL.")]
    [InlineData("ERR max number of clients reached")]
    public void IsDataError_AboutTheServer_FalseAndCountedAsAServerError(string message)
    {
        var error = new RedisServerException(RedisErrorKind.Unknown, CommandFlags.None, message);

        Assert.False(RedisFailure.IsDataError(error));
        Assert.Equal(RedisFailure.ServerError, RedisFailure.TypeOf(error));
    }
}
