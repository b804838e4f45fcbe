using System.Net.Sockets;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using ListenOnTcp = K8shell.Contracts.Workspace.V1.TcpListener;
using ListenOnUnix = K8shell.Contracts.Workspace.V1.UnixListener;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>
/// A root daemon serving an unprivileged workspace user ("nobody"), as in a pod: tunnels get no more
/// than the user could do — no privileged ports, Unix sockets only where the user may go.
/// </summary>
public sealed class ServingAnotherUserTests(DaemonFixture daemon) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-as-nobody-").FullName;
    private K8shell.Testing.ServiceProcess? _forNobody;
    private Grpc.Net.Client.GrpcChannel? _channel;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private TunnelService.TunnelServiceClient Tunnels => new(_channel!);

    public async ValueTask InitializeAsync()
    {
        Assert.True(Environment.UserName == "root", "the daemon must be root to serve another user, as in a pod");
        _forNobody = await daemon.StartDaemonAsync(settings: new() { ["Workspace__User"] = "nobody" });
        _channel = daemon.ChannelTo(_forNobody);
    }

    [Fact]
    public async Task Privileged_ports_are_refused()
    {
        using var listen = Tunnels.Listen(new ListenRequest { SessionId = "proxy-1-aa", StreamId = "pf-proxy-1-aa1", Tcp = new ListenOnTcp { Port = 80 } },
            cancellationToken: Cancellation);

        var failure = await Assert.ThrowsAsync<RpcException>(() => listen.ResponseStream.MoveNext(Cancellation));

        Assert.Equal(StatusCode.PermissionDenied, failure.StatusCode);
        Assert.Contains("below 1024", failure.Status.Detail);
    }

    [Fact]
    public async Task Unix_sockets_are_dialed_with_the_users_permissions()
    {
        // The same kind of socket twice: one in a directory only root may enter, one the user may use.
        var rootOnly = Directory.CreateDirectory(Path.Combine(_directory, "root-only"));
        rootOnly.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
        using var hidden = Listen(Path.Combine(rootOnly.FullName, "s.sock"));
        using var open = Listen(Path.Combine(_directory, "open.sock"));
        File.SetUnixFileMode(Path.Combine(_directory, "open.sock"), (UnixFileMode)0b110_110_110);

        Assert.Equal(StatusCode.PermissionDenied, (await DialAsync(Path.Combine(rootOnly.FullName, "s.sock")))?.StatusCode);
        Assert.Null(await DialAsync(Path.Combine(_directory, "open.sock")));
    }

    [Fact]
    public async Task Unix_listeners_are_created_where_the_user_may_and_belong_to_them()
    {
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101); // others may enter, not create
        var shared = Directory.CreateDirectory(Path.Combine(_directory, "shared"));
        shared.UnixFileMode = (UnixFileMode)0b111_111_111;

        using (var refused = Tunnels.Listen(new ListenRequest { Unix = new ListenOnUnix { Path = Path.Combine(_directory, "l.sock") } }, cancellationToken: Cancellation))
        {
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => refused.ResponseStream.MoveNext(Cancellation))).StatusCode);
        }
        using var listening = Tunnels.Listen(new ListenRequest { Unix = new ListenOnUnix { Path = Path.Combine(shared.FullName, "l.sock") } }, cancellationToken: Cancellation);
        Assert.True(await listening.ResponseStream.MoveNext(Cancellation));
        Assert.Equal("nobody", await Tools.OwnerAsync(Path.Combine(shared.FullName, "l.sock")));
    }

    /// <summary>The call's failure, or null when the dial connected.</summary>
    private async Task<RpcException?> DialAsync(string path)
    {
        using var dial = Tunnels.DialUnix(cancellationToken: Cancellation);
        await dial.RequestStream.WriteAsync(new DialUnixRequest { Destination = new UnixDestination { SessionId = "proxy-1-aa", StreamId = "ux-proxy-1-aa1", Path = path } }, Cancellation);
        try
        {
            Assert.True(await dial.ResponseStream.MoveNext(Cancellation));
            Assert.Equal(TunnelResponse.MessageOneofCase.Opened, dial.ResponseStream.Current.MessageCase);
            return null;
        }
        catch (RpcException failure)
        {
            return failure;
        }
    }

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen();
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_forNobody is not null)
        {
            await _forNobody.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }
}
