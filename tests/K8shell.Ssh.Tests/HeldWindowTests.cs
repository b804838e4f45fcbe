using System.Net;
using System.Net.Sockets;
using K8shell.Ssh.Connection;
using K8shell.Ssh.HostKeys;

namespace K8shell.Ssh.Tests;

/// <summary>
/// A relay reads with <see cref="SshChannel.ReadHeldAsync"/> and gives the window back only when the next hop took
/// the bytes: until it releases them, a client (paramiko, counting its send window) cannot send one byte beyond it.
/// </summary>
public sealed class HeldWindowTests
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Held_bytes_keep_the_window_closed_until_released()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        // The client sends until its window is spent (send times out), reports how much it sent, then waits for a
        // line on stdin — sent once the host released — and sends again, which needs the re-opened window.
        using var python = Paramiko.Start(((IPEndPoint)listener.LocalEndpoint).Port, """
            import sys
            c = t.open_session()
            c.settimeout(3)
            sent = 0
            try:
                while True:
                    sent += c.send(b'x' * 32768)
            except socket.timeout:
                pass
            print(sent, flush=True)
            sys.stdin.readline()
            c.settimeout(30)
            c.sendall(b'y' * 65536)
            print('sent again', flush=True)
            """, login: true, redirectInput: true);
        var config = Paramiko.AcceptingLogin(HostKey);
        using var socket = await listener.AcceptSocketAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var connection = await SshServer.HandshakeAsync(stream, config, Cancellation);
        var serving = connection.RunAsync(Cancellation);
        var channel = await (await connection.IncomingChannels.ReadAsync(Cancellation)).AcceptAsync(Cancellation);

        var held = 0;
        var buffer = new byte[64 * 1024];
        while (held < SshChannel.LocalWindowSize)
        {
            held += await channel.ReadHeldAsync(buffer, Cancellation);
        }
        var reported = await python.StandardOutput.ReadLineAsync(Cancellation);
        Assert.Equal(SshChannel.LocalWindowSize.ToString(), reported);

        await channel.ReleaseAsync(held, Cancellation);
        await python.StandardInput.WriteLineAsync();
        await python.StandardInput.FlushAsync(Cancellation);
        var again = 0;
        while (again < 65536)
        {
            again += await channel.ReadAsync(buffer, Cancellation);
        }
        Assert.Equal("sent again", await python.StandardOutput.ReadLineAsync(Cancellation));
        await python.WaitForExitAsync(Cancellation);
        await serving; // the client hung up: the connection ends
    }
}
