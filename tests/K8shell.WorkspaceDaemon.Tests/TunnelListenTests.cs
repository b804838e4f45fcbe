using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using ListenOnTcp = K8shell.Contracts.Workspace.V1.TcpListener;
using ListenOnUnix = K8shell.Contracts.Workspace.V1.UnixListener;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>Listen and Accept through the real daemon: the test plays the program inside the workspace that connects, and the proxy that claims.</summary>
public sealed class TunnelListenTests(DaemonFixture daemon) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-listen-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tcp_connection_is_announced_then_claimed_and_carried_both_ways()
    {
        using var listen = daemon.Tunnels().Listen(new ListenRequest { SessionId = "proxy-1-aa", StreamId = "rf-1", Tcp = new ListenOnTcp { Port = 0 } },
            cancellationToken: Cancellation);
        var port = (await listen.ResponseStream.NextAsync()).Listening.Port;
        Assert.NotEqual(0u, port);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, (int)port, Cancellation);
        var incoming = (await listen.ResponseStream.NextAsync()).Incoming;
        Assert.Equal(("127.0.0.1", (uint)((IPEndPoint)client.LocalEndPoint!).Port), (incoming.OriginatorHost, incoming.OriginatorPort));
        Assert.Equal(32, incoming.ConnectionId.Length);

        using var accept = daemon.Tunnels().Accept(cancellationToken: Cancellation);
        await accept.RequestStream.WriteAsync(new AcceptRequest { ConnectionId = incoming.ConnectionId }, Cancellation);
        var opened = (await accept.ResponseStream.NextAsync()).Opened;
        Assert.Equal((port, (uint)((IPEndPoint)client.LocalEndPoint!).Port), (opened.LocalPort, opened.RemotePort));
        using (var second = daemon.Tunnels().Accept(cancellationToken: Cancellation))
        {
            await second.RequestStream.WriteAsync(new AcceptRequest { ConnectionId = incoming.ConnectionId }, Cancellation);
            Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => second.ResponseStream.MoveNext(Cancellation))).StatusCode);
        }

        await client.SendAsync("from outside"u8.ToArray(), Cancellation);
        Assert.Equal("from outside", Encoding.UTF8.GetString(await accept.ResponseStream.ReadDataAsync(12)));
        await accept.RequestStream.WriteAsync(new AcceptRequest { Data = ByteString.CopyFromUtf8("from inside") }, Cancellation);
        await accept.RequestStream.WriteAsync(new AcceptRequest { Eof = new TunnelEof() }, Cancellation);
        Assert.Equal("from inside", Encoding.UTF8.GetString(await client.ReceiveToEndAsync()));

        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await accept.ResponseStream.ReadDataToEofAsync());
        Assert.False(await accept.ResponseStream.MoveNext(Cancellation));
    }

    [Fact]
    public async Task A_unix_listener_has_its_socket_file_only_while_the_call_lasts()
    {
        var path = Path.Combine(_directory, "forwarded.sock");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        using var listen = daemon.Tunnels().Listen(new ListenRequest { Unix = new ListenOnUnix { Path = path } }, cancellationToken: stop.Token);

        Assert.Equal(path, (await listen.ResponseStream.NextAsync()).Listening.Path);
        Assert.True(File.Exists(path));
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path), Cancellation);
        Assert.Equal((uint)Environment.ProcessId, (await listen.ResponseStream.NextAsync()).Incoming.PeerPid);

        await stop.CancelAsync();

        // The daemon closes the listener, then the connection nobody claimed: once that one ends, the file is gone.
        Assert.Empty(await client.ReceiveToEndAsync());
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced()
    {
        var path = Path.Combine(_directory, "stale.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET unlinks the path it bound when the socket closes; renamed first, the file outlives it as a dead listener's would.
            dead.Bind(new UnixDomainSocketEndPoint(path + ".tmp"));
            File.Move(path + ".tmp", path);
        }
        using var listen = daemon.Tunnels().Listen(new ListenRequest { Unix = new ListenOnUnix { Path = path } }, cancellationToken: Cancellation);

        Assert.Equal(path, (await listen.ResponseStream.NextAsync()).Listening.Path);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path), Cancellation);
    }

    [Fact]
    public async Task A_regular_file_in_the_way_is_left_alone()
    {
        var path = Path.Combine(_directory, "notes.txt");
        await File.WriteAllTextAsync(path, "keep me", Cancellation);
        using var listen = daemon.Tunnels().Listen(new ListenRequest { Unix = new ListenOnUnix { Path = path } }, cancellationToken: Cancellation);

        var failure = await Assert.ThrowsAsync<RpcException>(() => listen.ResponseStream.MoveNext(Cancellation));

        Assert.Equal(StatusCode.AlreadyExists, failure.StatusCode);
        Assert.Equal("keep me", await File.ReadAllTextAsync(path, Cancellation));
    }

    [Fact]
    public async Task An_agent_listener_needs_the_session_it_serves()
    {
        using var listen = daemon.Tunnels().Listen(new ListenRequest { Agent = new AgentListener() }, cancellationToken: Cancellation);

        var failure = await Assert.ThrowsAsync<RpcException>(() => listen.ResponseStream.MoveNext(Cancellation));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
    }

    [Fact]
    public async Task Accept_of_an_unknown_connection_is_not_found()
    {
        using var accept = daemon.Tunnels().Accept(cancellationToken: Cancellation);
        await accept.RequestStream.WriteAsync(new AcceptRequest { ConnectionId = "0123456789abcdef0123456789abcdef" }, Cancellation);

        var failure = await Assert.ThrowsAsync<RpcException>(() => accept.ResponseStream.MoveNext(Cancellation));

        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
