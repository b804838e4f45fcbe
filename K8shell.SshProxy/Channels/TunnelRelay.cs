using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Ssh.Connection;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.Recording;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// A forwarding channel ⇄ a TunnelService stream (DialTcp, DialUnix, Accept): bytes and half-closes
/// both ways; the channel closes when the daemon ends the stream (both sides sent EOF, or the socket
/// failed), and the stream is cancelled when the client closes the channel. The relay owns the call and the recording.
/// </summary>
internal sealed class TunnelRelay<TRequest>(
    SshChannel channel,
    AsyncDuplexStreamingCall<TRequest, TunnelResponse> call,
    Func<ByteString, TRequest> data,
    Func<TRequest> eof,
    ConnectionTraffic traffic,
    IChannelRecording? recording) where TRequest : class
{
    /// <summary>How long the daemon may take to end the call after the client closed the channel.</summary>
    private static readonly TimeSpan ClosingGrace = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var recorded = recording;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using (call)
        {
            var upstream = ChannelPumps.QuietlyAsync(ToWorkspaceAsync(ended.Token));
            var downstream = ToClientAsync(ended.Token);
            // A client that closes right after its last data (data, EOF and CLOSE in one burst) must still have
            // that data delivered: the daemon gets all of it and the EOF before the call is given a short while
            // to end by itself, and only then cancelled.
            if (await Task.WhenAny(downstream, Task.WhenAll(channel.Closed, upstream)) != downstream
                && await Task.WhenAny(downstream, Task.Delay(ClosingGrace, cancellationToken)) != downstream)
            {
                await ended.CancelAsync();
            }
            await ChannelPumps.QuietlyAsync(downstream);
            // Nothing to catch when the client closed first: SshChannel sends EOF only while the channel is open, and CLOSE at most once.
            await ChannelEnding.CloseAsync(channel, cancellationToken);
            await ended.CancelAsync();
            await upstream;
        }
    }

    private async Task ToWorkspaceAsync(CancellationToken cancellationToken)
    {
        await ChannelPumps.FromClientAsync(channel, traffic, recording,
            (bytes, token) => new ValueTask(call.RequestStream.WriteAsync(data(UnsafeByteOperations.UnsafeWrap(bytes)), token)), cancellationToken);
        await call.RequestStream.WriteAsync(eof(), cancellationToken);
    }

    private async Task ToClientAsync(CancellationToken cancellationToken)
    {
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            var response = call.ResponseStream.Current;
            switch (response.MessageCase)
            {
                case TunnelResponse.MessageOneofCase.Data:
                    await ChannelPumps.ToClientAsync(channel, traffic, recording, response.Data.Memory, stderr: false, cancellationToken);
                    break;
                case TunnelResponse.MessageOneofCase.Eof:
                    await channel.SendEofAsync(cancellationToken);
                    break;
            }
        }
    }
}

/// <summary>The request shapes of the three tunnel calls, so one relay serves them all.</summary>
internal static class TunnelRequests
{
    public static TunnelRelay<DialTcpRequest> Relay(SshChannel channel, AsyncDuplexStreamingCall<DialTcpRequest, TunnelResponse> call, ConnectionTraffic traffic,
        IChannelRecording? recording) =>
        new(channel, call, bytes => new DialTcpRequest { Data = bytes }, () => new DialTcpRequest { Eof = new TunnelEof() }, traffic, recording);

    public static TunnelRelay<DialUnixRequest> Relay(SshChannel channel, AsyncDuplexStreamingCall<DialUnixRequest, TunnelResponse> call, ConnectionTraffic traffic) =>
        new(channel, call, bytes => new DialUnixRequest { Data = bytes }, () => new DialUnixRequest { Eof = new TunnelEof() }, traffic, null);

    public static TunnelRelay<AcceptRequest> Relay(SshChannel channel, AsyncDuplexStreamingCall<AcceptRequest, TunnelResponse> call, ConnectionTraffic traffic) =>
        new(channel, call, bytes => new AcceptRequest { Data = bytes }, () => new AcceptRequest { Eof = new TunnelEof() }, traffic, null);
}
