using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Ssh.Connection;
using K8shell.Ssh.Wire;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.Workspaces;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// <c>ssh -R</c>: tcpip-forward and streamlocal-forward@openssh.com listen inside the workspace
/// (policy <c>ssh:tcpip-forward</c>); what they accept comes back as forwarded-tcpip and
/// forwarded-streamlocal@openssh.com channels. The cancel requests stop listening.
/// </summary>
internal sealed class RemoteForwards(ConnectionChannels connection)
{
    public const string Action = "ssh:tcpip-forward";

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _listeners = new();

    private ProxyConnection Proxy => connection.Connection;

    /// <summary>RFC 4254 §7.1; when port 0 was asked, the reply carries the port the workspace chose.</summary>
    public async ValueTask ForwardTcpAsync(ChannelRequest request)
    {
        var reader = new SshReader(request.Payload);
        var (address, port) = (reader.ReadUtf8(), reader.ReadUInt32());
        var listener = new ListenRequest
        {
            SessionId = Proxy.SessionId, StreamId = Proxy.NextStreamId(ConnectionTraffic.PortForward), Tcp = new TcpListener { BindAddress = address, Port = port },
        };
        var bound = await ListenAsync(request, listener, "forwarded-tcpip", ConnectionTraffic.PortForward, (listening, incoming) => SshWriter.Serialize(w =>
        {
            w.WriteUtf8(address);
            w.WriteUInt32(listening.Port);
            w.WriteUtf8(incoming.OriginatorHost);
            w.WriteUInt32(incoming.OriginatorPort);
        }), listening => TcpKey(address, listening.Port), ("bind_address", address), ("port", port.ToString(CultureInfo.InvariantCulture)));
        if (bound is not null)
        {
            await request.ReplyAsync(true, port == 0 ? SshWriter.Serialize(w => w.WriteUInt32(bound.Port)) : ReadOnlyMemory<byte>.Empty, connection.Lifetime);
        }
    }

    /// <summary>OpenSSH PROTOCOL §2.4: a Unix socket inside the workspace.</summary>
    public async ValueTask ForwardStreamLocalAsync(ChannelRequest request)
    {
        var path = new SshReader(request.Payload).ReadUtf8();
        var listener = new ListenRequest
        {
            SessionId = Proxy.SessionId, StreamId = Proxy.NextStreamId(ConnectionTraffic.UnixSocket), Unix = new UnixListener { Path = path },
        };
        var bound = await ListenAsync(request, listener, "forwarded-streamlocal@openssh.com", ConnectionTraffic.UnixSocket, (_, _) => SshWriter.Serialize(w =>
        {
            w.WriteUtf8(path);
            w.WriteUtf8("");
        }), _ => UnixKey(path), ("socket_path", path));
        if (bound is not null)
        {
            await request.ReplyAsync(true, connection.Lifetime);
        }
    }

    public ValueTask CancelTcpAsync(ChannelRequest request)
    {
        var reader = new SshReader(request.Payload);
        return StopAsync(request, TcpKey(reader.ReadUtf8(), reader.ReadUInt32()));
    }

    public ValueTask CancelStreamLocalAsync(ChannelRequest request) => StopAsync(request, UnixKey(new SshReader(request.Payload).ReadUtf8()));

    /// <summary>Policy, workspace, then the listener; any refusal is a failure reply (null). The caller replies success.</summary>
    private async ValueTask<Listening?> ListenAsync(ChannelRequest request, ListenRequest listener, string channelType, string operation,
        Func<Listening, IncomingConnection, ReadOnlyMemory<byte>> describe, Func<Listening, string> key, params (string Key, string? Value)[] context)
    {
        var decision = await connection.AuthorizeAsync(Action, context);
        string reason;
        if (decision.Allowed)
        {
            var stopped = CancellationTokenSource.CreateLinkedTokenSource(connection.Lifetime);
            try
            {
                var link = await Proxy.Workspace.GetAsync(null, connection.Lifetime);
                var (listening, serving) = await WorkspaceListener.ListenAsync(connection, link, listener, channelType, describe, operation, stopped.Token);
                _listeners[key(listening)] = stopped;
                connection.Track(serving);
                connection.Logger.LogInformation("Session {SessionId}: {Request} listens on {Port}{Path}", Proxy.SessionId, request.Type, listening.Port, listening.Path);
                return listening;
            }
            catch (Exception failure) when (failure is RpcException or WorkspaceUnavailableException)
            {
                stopped.Dispose();
                reason = failure is RpcException status ? status.Status.Detail : failure.Message;
            }
        }
        else
        {
            reason = decision.Reason;
        }
        connection.Logger.LogInformation("Session {SessionId}: {Request} refused: {Reason}", Proxy.SessionId, request.Type, reason);
        await request.ReplyAsync(false, connection.Lifetime);
        return null;
    }

    private async ValueTask StopAsync(ChannelRequest request, string key)
    {
        var found = _listeners.TryRemove(key, out var stopped);
        if (stopped is not null)
        {
            await stopped.CancelAsync();
        }
        await request.ReplyAsync(found, connection.Lifetime);
    }

    private static string TcpKey(string address, uint port) => $"tcp {address}:{port}";

    private static string UnixKey(string path) => $"unix {path}";
}
