using System.Net;
using Gateway.Shared;

// Not Gateway.Tests.Shared, which CA1716 refuses for a public type: Shared is a Visual Basic keyword.
namespace Gateway.Middleware.Tests.SharedSource;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", 64, "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::/48")]
    [InlineData("2001:db8:1:2:3:4:5:6", 56, "2001:db8:1::/56")]
    [InlineData("2001:db8:1:2ff:3:4:5:6", 60, "2001:db8:1:2f0::/60")]
    [InlineData("2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6")]
    [InlineData("::1", 64, "::/64")]
    [InlineData("203.0.113.7", 64, "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", 64, "203.0.113.7")]
    public void Of_Address_KeysIPv6ByItsPrefix(string address, int prefixLength, string expected)
    {
        Assert.Equal(expected, ClientAddress.Of(IPAddress.Parse(address), prefixLength));
    }

    [Fact]
    public void Of_TwoAddressesOfOneSlash64_SameKey()
    {
        Assert.Equal(
            ClientAddress.Of(IPAddress.Parse("2001:db8:abcd:12::1"), 64),
            ClientAddress.Of(IPAddress.Parse("2001:db8:abcd:12:9f3a:1:2:3"), 64));
    }

    [Fact]
    public void Of_NoAddress_Unknown()
    {
        Assert.Equal("unknown", ClientAddress.Of((IPAddress?)null, 64));
    }
}
