using Gateway.Middleware.Policies;

namespace Gateway.Middleware.Tests.Policies;

public sealed class RedisUnixSocketTests
{
    [Theory]
    [InlineData("unix:/run/redis/redis.sock", "!/run/redis/redis.sock")]
    [InlineData("UNIX:/run/redis/redis.sock", "!/run/redis/redis.sock")]
    [InlineData("/run/redis/redis.sock", "!/run/redis/redis.sock")]
    [InlineData("!/run/redis/redis.sock", "!/run/redis/redis.sock")]
    [InlineData(" unix:/run/redis/redis.sock ,password=a/b", "!/run/redis/redis.sock,password=a/b")]
    [InlineData("127.0.0.1:6379,unix:6380", "127.0.0.1:6379,unix:6380")]
    public void Normalize_SocketForms_WrittenAsTheLibraryReadsThem(string configuration, string expected)
    {
        Assert.Equal(expected, RedisUnixSocket.Normalize(configuration));
    }

    [Theory]
    [InlineData("unix:/run/redis/redis.sock", true)]
    [InlineData("/run/redis/redis.sock", true)]
    [InlineData("!/run/redis/redis.sock", true)]
    [InlineData("unix:6379", false)]
    [InlineData("127.0.0.1:6379", false)]
    public void IsSocket_Part_TellsASocketFromAHost(string part, bool expected)
    {
        Assert.Equal(expected, RedisUnixSocket.IsSocket(part));
    }
}
