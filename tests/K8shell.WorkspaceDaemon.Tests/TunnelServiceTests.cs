using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>DialTcp and DialUnix through the real daemon: the test plays the server inside the workspace and the proxy's side of the call.</summary>
public sealed class TunnelServiceTests(DaemonFixture daemon) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-dial-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static TcpDestination To(int port, string host = "127.0.0.1") => new()
    {
        SessionId = "proxy-1-aa", StreamId = "pf-proxy-1-aa1", Host = host, Port = (uint)port, OriginatorHost = "192.0.2.7", OriginatorPort = 50022,
    };

    [Fact]
    public async Task DialTcp_carries_bytes_both_ways_and_each_sides_eof_on_its_own()
    {
        using var server = ListeningTcpSocket();
        using var call = daemon.Tunnels().DialTcp(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new DialTcpRequest { Destination = To(Port(server)) }, Cancellation);
        using var peer = await server.AcceptAsync(Cancellation);

        var opened = (await call.ResponseStream.NextAsync()).Opened;
        Assert.Equal(("127.0.0.1", (uint)Port(server)), (opened.RemoteAddress, opened.RemotePort));
        Assert.Equal(((IPEndPoint)peer.RemoteEndPoint!).Port, (int)opened.LocalPort);

        await call.RequestStream.WriteAsync(new DialTcpRequest { Data = ByteString.CopyFromUtf8("hello") }, Cancellation);
        await call.RequestStream.WriteAsync(new DialTcpRequest { Eof = new TunnelEof() }, Cancellation);
        Assert.Equal("hello", Encoding.UTF8.GetString(await peer.ReceiveToEndAsync()));

        // The client's EOF closed only its direction: the server still answers.
        await peer.SendAsync("world"u8.ToArray(), Cancellation);
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal("world", Encoding.UTF8.GetString(await call.ResponseStream.ReadDataToEofAsync()));

        Assert.False(await call.ResponseStream.MoveNext(Cancellation));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task DialTcp_relays_megabytes_both_ways_intact()
    {
        using var server = ListeningTcpSocket();
        using var call = daemon.Tunnels().DialTcp(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new DialTcpRequest { Destination = To(Port(server), host: "localhost") }, Cancellation);
        using var peer = await server.AcceptAsync(Cancellation);
        var echo = EchoAsync(peer);
        Assert.Equal(TunnelResponse.MessageOneofCase.Opened, (await call.ResponseStream.NextAsync()).MessageCase);

        var sent = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        var sending = Task.Run(async () =>
        {
            for (var offset = 0; offset < sent.Length; offset += 32 * 1024)
            {
                await call.RequestStream.WriteAsync(new DialTcpRequest { Data = ByteString.CopyFrom(sent, offset, 32 * 1024) }, Cancellation);
            }
            await call.RequestStream.WriteAsync(new DialTcpRequest { Eof = new TunnelEof() }, Cancellation);
        }, Cancellation);
        var received = await call.ResponseStream.ReadDataToEofAsync();
        await sending;

        Assert.Equal(sent.Length, await echo);
        Assert.Equal(SHA256.HashData(sent), SHA256.HashData(received));
    }

    [Fact]
    public async Task DialTcp_to_a_closed_port_is_unavailable_with_the_systems_reason()
    {
        using var call = daemon.Tunnels().DialTcp(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new DialTcpRequest { Destination = To(FreePort.Next()) }, Cancellation);

        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Cancellation));

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains("Connection refused", failure.Status.Detail);
    }

    [Fact]
    public async Task DialTcp_needs_the_destination_first()
    {
        using var call = daemon.Tunnels().DialTcp(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new DialTcpRequest { Data = ByteString.CopyFromUtf8("too early") }, Cancellation);

        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Cancellation));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
    }

    [Fact]
    public async Task A_caller_that_goes_away_closes_the_connection()
    {
        using var server = ListeningTcpSocket();
        var call = daemon.Tunnels().DialTcp(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new DialTcpRequest { Destination = To(Port(server)) }, Cancellation);
        using var peer = await server.AcceptAsync(Cancellation);
        Assert.Equal(TunnelResponse.MessageOneofCase.Opened, (await call.ResponseStream.NextAsync()).MessageCase);

        call.Dispose();

        Assert.Empty(await peer.ReceiveToEndAsync());
    }

    [Fact]
    public async Task DialUnix_reaches_a_socket_in_the_workspace()
    {
        var path = Path.Combine(_directory, "service.sock");
        using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.Listen();
        using var call = daemon.Tunnels().DialUnix(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new DialUnixRequest { Destination = new UnixDestination { SessionId = "proxy-1-aa", StreamId = "ux-proxy-1-aa2", Path = path } },
            Cancellation);
        using var peer = await server.AcceptAsync(Cancellation);

        Assert.Equal(path, (await call.ResponseStream.NextAsync()).Opened.RemoteAddress);
        await call.RequestStream.WriteAsync(new DialUnixRequest { Data = ByteString.CopyFromUtf8("ping") }, Cancellation);
        Assert.Equal("ping", Encoding.UTF8.GetString(await peer.ReceiveExactlyAsync(4)));
        await peer.SendAsync("pong"u8.ToArray(), Cancellation);
        Assert.Equal("pong", Encoding.UTF8.GetString(await call.ResponseStream.ReadDataAsync(4)));

        peer.Shutdown(SocketShutdown.Send);
        Assert.Empty(await call.ResponseStream.ReadDataToEofAsync());
        await call.RequestStream.WriteAsync(new DialUnixRequest { Eof = new TunnelEof() }, Cancellation);
        Assert.Empty(await peer.ReceiveToEndAsync());
        Assert.False(await call.ResponseStream.MoveNext(Cancellation));
    }

    [Theory]
    [InlineData("missing.sock", StatusCode.NotFound)]
    [InlineData("relative/path.sock", StatusCode.InvalidArgument)]
    public async Task DialUnix_says_why_it_cannot_connect(string name, StatusCode expected)
    {
        var path = name.StartsWith("relative/", StringComparison.Ordinal) ? name : Path.Combine(_directory, name);
        using var call = daemon.Tunnels().DialUnix(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new DialUnixRequest { Destination = new UnixDestination { Path = path } }, Cancellation);

        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Cancellation));

        Assert.Equal(expected, failure.StatusCode);
        Assert.Contains(path, failure.Status.Detail);
    }

    [Fact]
    public async Task Tunnels_need_a_token()
    {
        using var call = daemon.Tunnels(token: null).DialTcp(cancellationToken: Cancellation);

        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Cancellation));

        Assert.Equal(StatusCode.Unauthenticated, failure.StatusCode);
    }

    private static Socket ListeningTcpSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen();
        return socket;
    }

    private static int Port(Socket listening) => ((IPEndPoint)listening.LocalEndPoint!).Port;

    /// <summary>Sends back what arrives until EOF, then shuts down its side; returns how many bytes it echoed.</summary>
    private static async Task<int> EchoAsync(Socket peer)
    {
        var buffer = new byte[64 * 1024];
        var total = 0;
        int read;
        while ((read = await peer.ReceiveAsync(buffer, SocketFlags.None, Cancellation)) > 0)
        {
            await peer.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, Cancellation);
            total += read;
        }
        peer.Shutdown(SocketShutdown.Send);
        return total;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
