using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Store.Redis.Sentinel;

/// <summary>
/// A loopback TCP proxy in front of one sentinel that closes a connection instead of passing on a read from the
/// sentinel that carries <c>+switch-master</c>: the event is lost the way it is when the link breaks as it is sent.
/// Everything else passes, and the client may reconnect at once.
/// </summary>
internal sealed class SwitchMasterDroppingProxy : IAsyncDisposable
{
    private static readonly byte[] Marker = "+switch-master"u8.ToArray();

    /// <summary>How long disposing waits for the relays to stop before it fails instead of hanging.</summary>
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(30);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _sentinelPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _relays = [];
    private readonly TaskCompletionSource _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _accepting;

    public SwitchMasterDroppingProxy(int sentinelPort)
    {
        _sentinelPort = sentinelPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Completes when a <c>+switch-master</c> was dropped.</summary>
    public Task SwitchMasterDropped => _dropped.Task;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.WaitAsync(StopWait);
        await Task.WhenAll(_relays).WaitAsync(StopWait);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _relays.Add(RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var sentinel = new TcpClient();
        using var link = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        using (client)
        {
            try
            {
                await sentinel.ConnectAsync(IPAddress.Loopback, _sentinelPort, link.Token);
                var up = CopyAsync(client.GetStream(), sentinel.GetStream(), dropSwitchMaster: false, link.Token);
                var down = CopyAsync(sentinel.GetStream(), client.GetStream(), dropSwitchMaster: true, link.Token);
                await Task.WhenAny(up, down);
                await link.CancelAsync();
                await Task.WhenAll(up, down);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // The link is gone; closing both ends below is all that is left to do.
            }
        }
    }

    private async Task CopyAsync(NetworkStream from, NetworkStream to, bool dropSwitchMaster, CancellationToken cancellationToken)
    {
        var buffer = new byte[Marker.Length + 16 * 1024];
        var carried = 0; // the end of the previous read, in case the marker straddles two reads
        while (true)
        {
            var read = await from.ReadAsync(buffer.AsMemory(carried), cancellationToken);
            if (read == 0)
            {
                return;
            }

            if (dropSwitchMaster && buffer.AsSpan(0, carried + read).IndexOf(Marker) >= 0)
            {
                _dropped.TrySetResult();
                return;
            }

            await to.WriteAsync(buffer.AsMemory(carried, read), cancellationToken);
            var keep = Math.Min(Marker.Length - 1, carried + read);
            buffer.AsSpan(carried + read - keep, keep).CopyTo(buffer);
            carried = keep;
        }
    }
}
