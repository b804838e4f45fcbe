using System.Net;
using System.Net.Sockets;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.HostKeys;
using K8shell.Testing.SshHost;

namespace K8shell.Ssh.Tests;

/// <summary>Many channels at once on one connection, and the limit on how many, driven by paramiko.</summary>
public sealed class ParallelChannelTests
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    // Every session blocks on stdin until all are open, so they really run side by side.
    private const string Script = """
        chans = [t.open_session() for i in range(count)]
        for i, c in enumerate(chans):
            c.exec_command("read line; echo %d $line" % i)
        if extra:
            try:
                t.open_session()
                print("extra opened")
            except paramiko.ChannelException as e:
                print("refused", e.code, e.text)
        for c in chans:
            c.sendall(b"go\n")
        good = sum(1 for i, c in enumerate(chans) if c.makefile().read().decode() == "%d go\n" % i and c.recv_exit_status() == 0)
        print("answered", good)
        """;

    [Fact]
    public async Task A_hundred_sessions_run_side_by_side_on_one_connection()
    {
        var output = await RunAsync(maxChannels: 128, count: 100, extra: false);
        Assert.Contains("answered 100", output);
    }

    [Fact]
    public async Task The_channel_beyond_the_limit_is_refused_with_resource_shortage_and_the_rest_carry_on()
    {
        var output = await RunAsync(maxChannels: 64, count: 64, extra: true);
        // Reason 4 is SSH_OPEN_RESOURCE_SHORTAGE; paramiko shows its own text for the code, not ours.
        Assert.Contains("refused 4 ", output);
        Assert.Contains("answered 64", output);
    }

    private static async Task<string> RunAsync(int maxChannels, int count, bool extra)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var python = Paramiko.Start(((IPEndPoint)listener.LocalEndpoint).Port, $"""
            count, extra = {count}, {(extra ? "True" : "False")}
            {Script}
            t.close()
            """, login: true);
        var output = python.StandardOutput.ReadToEndAsync(Cancellation);
        var errors = python.StandardError.ReadToEndAsync(Cancellation);

        var config = new SshServerConfig
        {
            HostKeys = [HostKey],
            MaxChannels = maxChannels,
            PasswordCallback = (request, _) => ValueTask.FromResult(request.Password == Paramiko.Password ? AuthDecision.Accept() : AuthDecision.Reject()),
        };
        using var socket = await listener.AcceptSocketAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        await TestHost.ServeAsync(await SshServer.HandshakeAsync(stream, config, Cancellation), Cancellation);
        await python.WaitForExitAsync(Cancellation);
        return await output + await errors;
    }
}
