using System.Diagnostics;
using Grpc.Core;
using K8shell.Ssh.Connection;
using K8shell.SshProxy.Connections;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// Serves every channel and global request of an authenticated connection by forwarding it to the
/// workspace's k8shelld (SPEC.md §2, §4, §5). The connection handler runs it beside
/// <see cref="SshServerConnection.RunAsync"/>; it returns once the connection ended and every channel is done.
/// </summary>
internal sealed class ChannelDispatcher(IOptions<ChannelOptions> options, ProxyTelemetry telemetry, ILogger<ChannelDispatcher> logger)
{
    public const string Session = "session";
    public const string DirectTcpip = "direct-tcpip";
    public const string DirectStreamLocal = "direct-streamlocal@openssh.com";

    public async Task ServeAsync(ProxyConnection connection, CancellationToken cancellationToken)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channels = new ConnectionChannels(connection, options.Value, logger, lifetime.Token);
        var running = new List<Task> { Guard(new GlobalRequests(channels).ServeAsync(), "global requests", connection.SessionId) };
        try
        {
            await foreach (var channel in connection.Ssh.IncomingChannels.ReadAllAsync(cancellationToken))
            {
                running.RemoveAll(task => task.IsCompleted);
                running.Add(Guard(OpenAsync(channels, channel), channel.Type, connection.SessionId));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping: the channels end below.
        }
        finally
        {
            // The connection is gone: end every stream, listener and pending dial made for it.
            await lifetime.CancelAsync();
            await Task.WhenAll(running);
            await Task.WhenAll(channels.Background.Select(serving => Guard(serving, "listener", connection.SessionId)));
        }
    }

    private async Task OpenAsync(ConnectionChannels channels, NewChannel channel)
    {
        using var opening = new ChannelOpening(channel, channels.Connection.Trace, telemetry);
        // Current for this channel's work only (this method's own flow): its k8shelld calls become the span's children.
        Activity.Current = opening.Span;
        await (channel.Type switch
        {
            Session => SessionChannel.OpenAsync(channels, opening),
            DirectTcpip => DirectChannels.OpenTcpAsync(channels, opening),
            DirectStreamLocal => DirectChannels.OpenUnixAsync(channels, opening),
            _ => opening.RejectAsync(ChannelOpenFailureReason.UnknownChannelType, $"channel type {channel.Type} is not supported", channels.Lifetime).AsTask(),
        });
    }

    /// <summary>A channel that fails is logged and ends alone; it never takes the connection's other channels with it.</summary>
    private async Task Guard(Task serving, string what, string sessionId)
    {
        try
        {
            await serving;
        }
        // A gRPC call cancelled with the connection is the same ending seen from the workspace's side.
        catch (Exception failure) when (failure is OperationCanceledException or IOException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            logger.LogDebug("{What} of session {SessionId} ended with the connection: {Reason}", what, sessionId, failure.Message);
        }
        catch (Exception failure)
        {
            logger.LogWarning(failure, "{What} of session {SessionId} failed", what, sessionId);
        }
    }
}
