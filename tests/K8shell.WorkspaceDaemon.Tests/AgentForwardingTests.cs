using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>
/// Agent forwarding as the proxy does it: Listen(agent) for a connection, sessions of that connection
/// with SSH_AUTH_SOCK, and each connection to the socket claimed with Accept and carried to the
/// client's agent — here a real ssh-agent holding a key.
/// </summary>
public sealed class AgentForwardingTests(DaemonFixture daemon) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-agent-test-").FullName;
    private readonly string _sessionId = $"proxy-1-{Guid.NewGuid():N}"[..16];
    private SshAgent? _clientAgent;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _clientAgent = await SshAgent.StartAsync(Path.Combine(_directory, "client-agent.sock"), Cancellation);
        var key = Path.Combine(_directory, "id_ed25519");
        await SshKeys.GenerateAsync(key, comment: "forwarded-key", cancellationToken: Cancellation);
        await _clientAgent.AddAsync(key, Cancellation);
    }

    [Fact]
    public async Task The_sessions_of_the_connection_reach_the_clients_agent_through_a_private_socket()
    {
        using var listen = daemon.Tunnels().Listen(new ListenRequest { SessionId = _sessionId, StreamId = $"ux-{_sessionId}1", Agent = new AgentListener() },
            cancellationToken: Cancellation);
        var socketPath = (await listen.ResponseStream.NextAsync()).Listening.Path;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socketPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(socketPath)!));
        var carrying = CarryToClientAgentAsync(listen.ResponseStream);

        await using var run = await ProcessRun.ExecAsync(daemon.Processes(),
            new ProcessStart { SessionId = _sessionId, Command = "echo \"$SSH_AUTH_SOCK\"; ssh-add -l", AgentForwarding = true });

        Assert.Equal(0u, (await run.WaitForExitAsync(Cancellation)).ExitStatus);
        var lines = run.Stdout.Split('\n');
        Assert.Equal(socketPath, lines[0]);
        Assert.Contains("forwarded-key (ED25519)", lines[1]);
        listen.Dispose();
        await carrying;
        // The daemon cleans up once it sees the call cancelled.
        Assert.True(await Eventually.WaitAsync(() => !Directory.Exists(Path.GetDirectoryName(socketPath)), TimeSpan.FromSeconds(10), Cancellation),
            "the agent directory outlived its listener");
    }

    [Fact]
    public async Task A_process_outside_the_connections_sessions_is_turned_away()
    {
        using var listen = daemon.Tunnels().Listen(new ListenRequest { SessionId = _sessionId, StreamId = $"ux-{_sessionId}1", Agent = new AgentListener() },
            cancellationToken: Cancellation);
        var socketPath = (await listen.ResponseStream.NextAsync()).Listening.Path;

        // This test process has the permissions (root, or the same user) but is no session's descendant.
        using var intruder = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await intruder.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), Cancellation);

        // Closed by the daemon before anything was read from it.
        Assert.Empty(await intruder.ReceiveToEndAsync());
        var next = listen.ResponseStream.MoveNext(Cancellation);
        Assert.False(await Task.WhenAny(next, Task.Delay(300, Cancellation)) == next, "the refused connection was announced");
    }

    [Fact]
    public async Task Sessions_that_did_not_ask_for_the_agent_do_not_get_it()
    {
        using var listen = daemon.Tunnels().Listen(new ListenRequest { SessionId = _sessionId, StreamId = $"ux-{_sessionId}1", Agent = new AgentListener() },
            cancellationToken: Cancellation);
        await listen.ResponseStream.NextAsync();

        await using var run = await ProcessRun.ExecAsync(daemon.Processes(),
            new ProcessStart { SessionId = _sessionId, Command = "echo \"[${SSH_AUTH_SOCK-unset}]\"" });

        await run.WaitForExitAsync(Cancellation);
        Assert.Equal("[unset]\n", run.Stdout);
    }

    /// <summary>Plays the proxy: each announced connection is claimed and relayed to the client's ssh-agent.</summary>
    private async Task CarryToClientAgentAsync(IAsyncStreamReader<ListenEvent> events)
    {
        try
        {
            while (await events.MoveNext(Cancellation))
            {
                using var accept = daemon.Tunnels().Accept(cancellationToken: Cancellation);
                await accept.RequestStream.WriteAsync(new AcceptRequest { ConnectionId = events.Current.Incoming.ConnectionId }, Cancellation);
                Assert.Equal(TunnelResponse.MessageOneofCase.Opened, (await accept.ResponseStream.NextAsync()).MessageCase);
                using var agent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await agent.ConnectAsync(new UnixDomainSocketEndPoint(_clientAgent!.SocketPath), Cancellation);
                var toAgent = Task.Run(async () =>
                {
                    while (await accept.ResponseStream.MoveNext(Cancellation) && accept.ResponseStream.Current.MessageCase == TunnelResponse.MessageOneofCase.Data)
                    {
                        await agent.SendAsync(accept.ResponseStream.Current.Data.Memory, SocketFlags.None, Cancellation);
                    }
                    agent.Shutdown(SocketShutdown.Send);
                }, Cancellation);
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await agent.ReceiveAsync(buffer, SocketFlags.None, Cancellation)) > 0)
                {
                    await accept.RequestStream.WriteAsync(new AcceptRequest { Data = ByteString.CopyFrom(buffer, 0, read) }, Cancellation);
                }
                await accept.RequestStream.WriteAsync(new AcceptRequest { Eof = new TunnelEof() }, Cancellation);
                await toAgent;
            }
        }
        catch (Exception closed) when (closed is RpcException { StatusCode: StatusCode.Cancelled } or ObjectDisposedException)
        {
            // The test closed the listener.
        }
    }

    public ValueTask DisposeAsync()
    {
        _clientAgent?.Dispose();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
