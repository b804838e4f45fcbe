using System.Net;
using System.Net.Sockets;
using K8shell.Ssh.HostKeys;
using K8shell.Testing.SshHost;

namespace K8shell.Ssh.Tests;

/// <summary>
/// A logged-in client that breaks the connection protocol (raw messages through paramiko's
/// transport) is disconnected with ProtocolError and a message saying what it did.
/// </summary>
public sealed class ChannelViolationTests
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Violations => new()
    {
        { "c.shutdown_write(); raw(94, c.remote_chanid, b'late')", "data after EOF" },
        { "raw(94, 4242, b'nobody')", "no open channel 4242" },
        { "[raw(94, c.remote_chanid, b'x' * 32768) for _ in range(96)]", "the client sent more than the window allows" },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_violation_ends_the_connection_with_the_reason(string violation, string message)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var python = Paramiko.Start(((IPEndPoint)listener.LocalEndpoint).Port, $"""
            c = t.open_session()
            def raw(number, channel, data):
                m = paramiko.Message()
                m.add_byte(bytes([number]))
                m.add_int(channel)
                m.add_string(data)
                t._send_user_message(m)
            {violation}
            time.sleep(2)
            """, login: true);
        var errors = python.StandardError.ReadToEndAsync(Cancellation);

        var config = Paramiko.AcceptingLogin(HostKey);
        using var socket = await listener.AcceptSocketAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var connection = await SshServer.HandshakeAsync(stream, config, Cancellation);

        var error = await Assert.ThrowsAsync<SshProtocolException>(() => TestHost.ServeAsync(connection, Cancellation));
        Assert.Equal(SshDisconnectReason.ProtocolError, error.Reason);
        Assert.True(error.Message.Contains(message), $"{error.Message}\npython: {await errors}");
        await python.WaitForExitAsync(Cancellation);
    }
}
