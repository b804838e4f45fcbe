using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.HostKeys;

namespace K8shell.Ssh.Tests;

/// <summary>What bounds a connection before it is authenticated, driven by a silent socket and by paramiko.</summary>
public sealed class AuthenticationLimitTests
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_that_stalls_is_cut_off_at_the_login_grace_time()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, Cancellation);
        await client.GetStream().WriteAsync("SSH-2.0-Slowloris_1\r\n"u8.ToArray(), Cancellation);

        using var socket = await listener.AcceptSocketAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var config = new SshServerConfig { HostKeys = [HostKey], LoginGraceTime = TimeSpan.FromSeconds(1) };
        var started = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<SshProtocolException>(() => SshServer.HandshakeAsync(stream, config, Cancellation));
        Assert.Equal("login grace time of 1 s exceeded", error.Message);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_seventh_failed_password_ends_the_connection()
    {
        var attempts = 0;
        var config = new SshServerConfig
        {
            HostKeys = [HostKey],
            PasswordCallback = (_, _) =>
            {
                Interlocked.Increment(ref attempts);
                return ValueTask.FromResult(AuthDecision.Reject());
            },
        };
        var (error, output) = await ServeParamikoAsync(config, """
            for i in range(10):
                try:
                    t.auth_password("alice", "guess-%d" % i)
                except paramiko.AuthenticationException:
                    print("rejected", i)
                except Exception as e:
                    print("closed after", i, type(e).__name__)
                    break
            """);

        Assert.True(error.Reason == SshDisconnectReason.NoMoreAuthMethodsAvailable, error.Message + "\n" + output);
        Assert.Equal("too many authentication failures for alice", error.Message);
        Assert.Equal(6, attempts);
        Assert.Contains("rejected 4", output);
        Assert.DoesNotContain("rejected 6", output);
    }

    [Theory]
    [InlineData(2048, SshDisconnectReason.IllegalUserName, "user name longer than 1024 bytes")]
    [InlineData(1024 * 1024, SshDisconnectReason.ProtocolError, "exceeds the 262144-byte limit")]
    public async Task An_oversized_user_name_is_refused_before_any_callback(int length, SshDisconnectReason reason, string message)
    {
        var called = false;
        var config = new SshServerConfig
        {
            HostKeys = [HostKey],
            PasswordCallback = (_, _) =>
            {
                called = true;
                return ValueTask.FromResult(AuthDecision.Reject());
            },
        };
        var (error, _) = await ServeParamikoAsync(config, $"""
            try:
                t.auth_password("a" * {length}, "x")
            except Exception as e:
                print("closed", type(e).__name__)
            """);

        Assert.Equal(reason, error.Reason);
        Assert.Contains(message, error.Message);
        Assert.False(called);
    }

    /// <summary>Runs a paramiko client script (with <c>t</c>, a started Transport) against one handshake; returns how it ended.</summary>
    private static async Task<(SshProtocolException Error, string Output)> ServeParamikoAsync(SshServerConfig config, string script)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var python = Paramiko.Start(port, script, login: false);
        var output = python.StandardOutput.ReadToEndAsync(Cancellation);
        var errors = python.StandardError.ReadToEndAsync(Cancellation);

        using var socket = await listener.AcceptSocketAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var error = await Assert.ThrowsAsync<SshProtocolException>(() => SshServer.HandshakeAsync(stream, config, Cancellation));
        socket.Close();
        await python.WaitForExitAsync(Cancellation);
        return (error, await output + await errors);
    }
}
