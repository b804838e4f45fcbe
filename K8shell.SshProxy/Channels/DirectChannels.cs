using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Ssh.Connection;
using K8shell.SshProxy.Authorization;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.Recording;
using K8shell.SshProxy.Workspaces;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// direct-tcpip (<c>ssh -L</c>, <c>-D</c>, <c>-W</c>) and direct-streamlocal@openssh.com: the dial
/// happens inside the workspace, and the channel is accepted only once it succeeded, so the client
/// gets a real refusal (connect failed, with the reason) instead of a channel that closes at once.
/// </summary>
internal static class DirectChannels
{
    /// <summary>direct-tcpip, counted against <see cref="ChannelOptions.MaxDirectTcpip"/> while it is open.</summary>
    public static async Task OpenTcpAsync(ConnectionChannels connection, ChannelOpening open)
    {
        if (!connection.TryBeginDirectTcpip())
        {
            await open.RejectAsync(ChannelOpenFailureReason.ResourceShortage,
                $"maximum direct-tcpip connections exceeded ({connection.Options.MaxDirectTcpip})", connection.Lifetime);
            return;
        }
        try
        {
            await DialTcpAsync(connection, open, DirectTcpipRequest.Parse(open.ExtraData));
        }
        finally
        {
            connection.EndDirectTcpip();
        }
    }

    private static async Task DialTcpAsync(ConnectionChannels connection, ChannelOpening open, DirectTcpipRequest target)
    {
        open.Destination(target.Host, target.Port);
        var proxy = connection.Connection;
        var decision = await connection.AuthorizeAsync("ssh:direct-tcpip", ("host", target.Host), ("port", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var session = decision.Allowed ? await connection.AuthorizeSessionStartAsync("direct-tcpip") : decision;
        if (!session.Allowed)
        {
            await RejectAsync(connection, open, ChannelOpenFailureReason.AdministrativelyProhibited, session.Reason);
            return;
        }
        if (await WorkspaceAsync(connection, open) is not { } link)
        {
            return;
        }
        var streamId = proxy.NextStreamId(ConnectionTraffic.PortForward);
        IChannelRecording? recording;
        try
        {
            recording = await proxy.Recorders.StartAsync(new RecordingRequest(RecordingKind.DirectTcpip, streamId, session.Obligations.GetValueOrDefault(PolicyDecision.RecordObligation))
            {
                SourceHost = target.OriginatorAddress,
                SourcePort = target.OriginatorPort,
                DestinationHost = target.Host,
                DestinationPort = target.Port,
            }, connection.Lifetime);
        }
        catch (RecordingRefusedException refused)
        {
            await RejectAsync(connection, open, ChannelOpenFailureReason.AdministrativelyProhibited, refused.Message);
            return;
        }

        var call = link.Tunnels.DialTcp(cancellationToken: connection.Lifetime);
        var destination = new DialTcpRequest
        {
            Destination = new TcpDestination
            {
                SessionId = proxy.SessionId, StreamId = streamId, Host = target.Host, Port = target.Port,
                OriginatorHost = target.OriginatorAddress, OriginatorPort = target.OriginatorPort,
            },
        };
        if (await DialAsync(connection, open, call, call.RequestStream.WriteAsync(destination, connection.Lifetime)) is { } channel)
        {
            proxy.Traffic.AddOperation(ConnectionTraffic.PortForward);
            await TunnelRequests.Relay(channel, call, proxy.Traffic, recording).RunAsync(connection.Lifetime);
        }
        else if (recording is not null)
        {
            await recording.DisposeAsync();
        }
    }

    public static async Task OpenUnixAsync(ConnectionChannels connection, ChannelOpening open)
    {
        var proxy = connection.Connection;
        var target = DirectStreamLocalRequest.Parse(open.ExtraData);
        var decision = await connection.AuthorizeAsync("ssh:direct-streamlocal", ("socket_path", target.SocketPath));
        if (!decision.Allowed)
        {
            await RejectAsync(connection, open, ChannelOpenFailureReason.AdministrativelyProhibited, decision.Reason);
            return;
        }
        if (await WorkspaceAsync(connection, open) is not { } link)
        {
            return;
        }
        var call = link.Tunnels.DialUnix(cancellationToken: connection.Lifetime);
        var destination = new DialUnixRequest
        {
            Destination = new UnixDestination { SessionId = proxy.SessionId, StreamId = proxy.NextStreamId(ConnectionTraffic.UnixSocket), Path = target.SocketPath },
        };
        if (await DialAsync(connection, open, call, call.RequestStream.WriteAsync(destination, connection.Lifetime)) is { } channel)
        {
            proxy.Traffic.AddOperation(ConnectionTraffic.UnixSocket);
            await TunnelRequests.Relay(channel, call, proxy.Traffic).RunAsync(connection.Lifetime);
        }
    }

    /// <summary>The workspace, or a refusal with its message (connect failed: there is nothing to connect to).</summary>
    private static async ValueTask<WorkspaceLink?> WorkspaceAsync(ConnectionChannels connection, ChannelOpening open)
    {
        try
        {
            return await connection.Connection.Workspace.GetAsync(null, connection.Lifetime);
        }
        catch (WorkspaceUnavailableException unavailable)
        {
            await RejectAsync(connection, open, ChannelOpenFailureReason.ConnectFailed, unavailable.Message);
            return null;
        }
    }

    /// <summary>Sends the destination, waits for <c>opened</c>, and only then accepts the channel; a failed dial refuses it with the daemon's reason.</summary>
    private static async ValueTask<SshChannel?> DialAsync<TRequest>(ConnectionChannels connection, ChannelOpening open,
        AsyncDuplexStreamingCall<TRequest, TunnelResponse> call, Task destinationSent)
    {
        string reason;
        try
        {
            await destinationSent;
            if (await call.ResponseStream.MoveNext(connection.Lifetime) && call.ResponseStream.Current.MessageCase == TunnelResponse.MessageOneofCase.Opened)
            {
                return await open.AcceptAsync(connection.Lifetime);
            }
            reason = "the workspace ended the connection before it opened";
        }
        catch (RpcException failure) when (!connection.Lifetime.IsCancellationRequested)
        {
            reason = failure.Status.Detail;
        }
        call.Dispose();
        await RejectAsync(connection, open, ChannelOpenFailureReason.ConnectFailed, reason);
        return null;
    }

    private static async ValueTask RejectAsync(ConnectionChannels connection, ChannelOpening open, ChannelOpenFailureReason reason, string message)
    {
        connection.Logger.LogInformation("Session {SessionId}: {Type} refused ({Reason}): {Message}", connection.Connection.SessionId, open.Type, reason, message);
        await open.RejectAsync(reason, message, connection.Lifetime);
    }
}
