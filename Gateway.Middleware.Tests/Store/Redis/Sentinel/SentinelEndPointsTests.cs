using System.Net;
using Gateway.Middleware.Store.Redis.Sentinel;

namespace Gateway.Middleware.Tests.Store.Redis.Sentinel;

public sealed class SentinelEndPointsTests
{
    private static readonly TimeSpan LookupWait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task SameServerAsync_NameAndAddress_SameOnlyWhenTheNameResolvesToTheAddressAndPort()
    {
        using var cancellation = new CancellationTokenSource(LookupWait);
        var timeout = cancellation.Token;
        Assert.True(await SentinelEndPoints.SameServerAsync(new DnsEndPoint("localhost", 6379), new IPEndPoint(IPAddress.Loopback, 6379), timeout));
        Assert.True(await SentinelEndPoints.SameServerAsync(new IPEndPoint(IPAddress.Loopback, 6379), new DnsEndPoint("LOCALHOST", 6379), timeout));
        Assert.True(await SentinelEndPoints.SameServerAsync(new DnsEndPoint("127.0.0.1", 6379), new IPEndPoint(IPAddress.Loopback, 6379), timeout));
        Assert.False(await SentinelEndPoints.SameServerAsync(new DnsEndPoint("localhost", 6379), new IPEndPoint(IPAddress.Loopback, 6380), timeout));
        Assert.False(await SentinelEndPoints.SameServerAsync(new DnsEndPoint("localhost", 6379), new IPEndPoint(IPAddress.Parse("10.0.0.1"), 6379), timeout));
        Assert.Equal(new DnsEndPoint("localhost", 6379), SentinelEndPoints.Parse("localhost", "6379"));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6379), SentinelEndPoints.Parse("127.0.0.1", "6379"));
        Assert.Null(SentinelEndPoints.Parse("localhost", "-1"));
    }
}
