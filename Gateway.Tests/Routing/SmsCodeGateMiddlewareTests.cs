using System.Net.Http;
using System.Net.Sockets;
using Gateway.Middleware.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Tests.Routing;

public sealed class SmsCodeGateMiddlewareTests
{
    [Theory]
    [InlineData("GET", "GET", true)]
    [InlineData("get", "GET", true)]
    [InlineData("POST", "GET, POST", true)]
    [InlineData("HEAD", "GET", false)]
    [InlineData("GE", "GET", false)]
    [InlineData("GETX", "GET", false)]
    [InlineData("DELETE", "GET, POST", false)]
    [InlineData("PATCH", "", true)]
    public void IsAllowed_MethodAgainstTheRoutesOwn(string method, string allowed, bool expected)
    {
        Assert.Equal(expected, SmsCodeGateMiddleware.IsAllowed(method, allowed));
    }

    [Fact]
    public void IsUncertain_Timeout_True()
    {
        Assert.True(SmsCodeGateMiddleware.IsUncertain(new ErrorFeature(ForwarderError.RequestTimedOut, new TaskCanceledException())));
    }

    [Fact]
    public void IsUncertain_ConnectionRefused_False()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));
        Assert.False(SmsCodeGateMiddleware.IsUncertain(new ErrorFeature(ForwarderError.Request, refused)));
    }

    [Fact]
    public void IsUncertain_ConnectionLostAfterTheRequestWasSent_True()
    {
        var ended = new HttpRequestException(HttpRequestError.ResponseEnded, "ended");
        Assert.True(SmsCodeGateMiddleware.IsUncertain(new ErrorFeature(ForwarderError.Request, ended)));
    }

    [Theory]
    [InlineData(ForwarderError.NoAvailableDestinations)]
    [InlineData(ForwarderError.RequestCreation)]
    public void IsUncertain_NeverSent_False(ForwarderError error)
    {
        Assert.False(SmsCodeGateMiddleware.IsUncertain(new ErrorFeature(error, null)));
        Assert.False(SmsCodeGateMiddleware.IsUncertain(null));
    }

    private sealed class ErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;

        public Exception? Exception { get; } = exception;
    }
}
