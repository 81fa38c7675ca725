using Gateway.Middleware.Policies.Validators;

namespace Gateway.Middleware.Tests.Policies.Validators;

public sealed class RedisConfigurationStringTests
{
    [Theory]
    [InlineData("127.0.0.1:6379")]
    [InlineData("redis")]
    [InlineData("redis-master.internal:6380,password=x,ssl=true")]
    [InlineData("s1:26379,s2:26379,s3:26379,serviceName=mymaster")]
    [InlineData("[::1]:6379")]
    [InlineData("::1")]
    [InlineData("unix:/run/redis/redis-server.sock")]
    [InlineData("/run/redis/redis-server.sock,password=x")]
    [InlineData("!/run/redis/redis-server.sock")]
    public void Validate_GoodString_NoFailure(string value)
    {
        Assert.Empty(RedisConfigurationString.Validate("SmsCodeGate:Redis", value));
    }

    [Theory]
    [InlineData("127.0.0.1:notaport", "SmsCodeGate:Redis: '127.0.0.1:notaport' is not an endpoint")]
    [InlineData("127.0.0.1:70000", "SmsCodeGate:Redis: '127.0.0.1:70000' is not an endpoint")]
    [InlineData("127.0.0.1:6379,redis two:6379", "SmsCodeGate:Redis: 'redis two:6379' is not an endpoint")]
    [InlineData("password=x", "SmsCodeGate:Redis names no endpoint")]
    [InlineData("127.0.0.1:6379,notakeyword=1", "SmsCodeGate:Redis is not a valid StackExchange.Redis configuration string")]
    [InlineData("unix:/run/redis/redis-server.sock,127.0.0.1:6379", "SmsCodeGate:Redis: a Unix socket ('/run/redis/redis-server.sock') must be the only endpoint")]
    [InlineData("unix:/run/redis/redis-server.sock,serviceName=mymaster", "SmsCodeGate:Redis: sentinels (serviceName=) cannot be reached over a Unix socket")]
    public void Validate_BadPart_OneFailureNamingTheKeyAndThePart(string value, string expected)
    {
        var failure = Assert.Single(RedisConfigurationString.Validate("SmsCodeGate:Redis", value));

        Assert.StartsWith(expected, failure, StringComparison.Ordinal);
    }
}
