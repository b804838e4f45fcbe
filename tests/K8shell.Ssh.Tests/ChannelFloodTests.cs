using System.Net;
using System.Net.Sockets;
using K8shell.Ssh.HostKeys;
using K8shell.Testing.Hostile;

namespace K8shell.Ssh.Tests;

/// <summary>A client that sends a burst of channel opens without waiting for answers (<see cref="ChannelFlood"/>), driven by paramiko.</summary>
public sealed class ChannelFloodTests
{
    private const int MaxChannels = 64;
    private const int Opens = 1000;

    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Opens_sent_faster_than_the_host_answers_them_stop_at_the_channel_limit()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var python = Paramiko.Start(((IPEndPoint)listener.LocalEndpoint).Port, ChannelFlood.Script(Opens) + "t.close()\n", login: true);
        var output = python.StandardOutput.ReadToEndAsync(Cancellation);
        var errors = python.StandardError.ReadToEndAsync(Cancellation);
        using var socket = await listener.AcceptSocketAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var config = Paramiko.AcceptingLogin(HostKey);
        var connection = await SshServer.HandshakeAsync(stream, config, Cancellation);
        Assert.Equal(MaxChannels, config.MaxChannels);

        var serving = connection.RunAsync(Cancellation);
        var answering = new List<Task>();
        await foreach (var open in connection.IncomingChannels.ReadAllAsync(Cancellation))
        {
            // As the proxy does, the host answers each open after some work of its own (the policy, the workspace):
            // meanwhile the burst's other opens arrive, and none of them may find the limit still unreached.
            answering.Add(Task.Run(async () =>
            {
                await Task.Delay(100, Cancellation);
                await open.AcceptAsync(Cancellation);
            }, Cancellation));
        }
        await serving;
        await Task.WhenAll(answering);
        await python.WaitForExitAsync(Cancellation);

        var (opened, refused, _) = ChannelFlood.Parse(await output);
        Assert.True(opened == MaxChannels, $"{opened} of {Opens} channels opened, the limit is {MaxChannels}\n{await output}{await errors}");
        Assert.Equal(new Dictionary<string, int> { [$"4 too many channels (at most {MaxChannels})"] = Opens - MaxChannels }, refused);
    }
}
