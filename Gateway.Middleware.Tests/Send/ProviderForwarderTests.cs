using System.Net.Http;
using System.Net.Sockets;
using Gateway.Middleware.Send;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Middleware.Tests.Send;

public sealed class ProviderForwarderTests
{
    [Fact]
    public void IsUncertain_Timeout_True()
    {
        Assert.True(ProviderForwarder.IsUncertain(new ErrorFeature(ForwarderError.RequestTimedOut, new TaskCanceledException())));
    }

    [Fact]
    public void IsUncertain_ConnectionRefused_False()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));
        Assert.False(ProviderForwarder.IsUncertain(new ErrorFeature(ForwarderError.Request, refused)));
    }

    [Fact]
    public void IsUncertain_ConnectionLostAfterTheRequestWasSent_True()
    {
        var ended = new HttpRequestException(HttpRequestError.ResponseEnded, "ended");
        Assert.True(ProviderForwarder.IsUncertain(new ErrorFeature(ForwarderError.Request, ended)));
    }

    [Theory]
    [InlineData(ForwarderError.NoAvailableDestinations)]
    [InlineData(ForwarderError.RequestCreation)]
    public void IsUncertain_NeverSent_False(ForwarderError error)
    {
        Assert.False(ProviderForwarder.IsUncertain(new ErrorFeature(error, null)));
        Assert.False(ProviderForwarder.IsUncertain(null));
    }

    private sealed class ErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;

        public Exception? Exception { get; } = exception;
    }
}
