namespace Gateway.Tests.Common;

/// <summary>
/// A destination that refuses every connection, for tests of a dead provider: port 0 on loopback, where no process can
/// listen (binding port 0 takes some other port), so no parallel test can come to answer there, as it could on a port
/// found free and released. On Linux a connection to it is refused at once, like one to a closed port.
/// </summary>
public static class RefusingAddress
{
    public static Uri Http { get; } = new("http://127.0.0.1:0/");
}
