using System.Buffers;
using Grpc.Core;
using K8shell.Ssh.Connection;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.Recording;

namespace K8shell.SshProxy.Channels;

/// <summary>The byte loops every relay shares: client → workspace with its counting and recording, and how a loop that lost its peer ends.</summary>
internal static class ChannelPumps
{
    /// <summary>Half the SSH window: large enough for full speed, small enough for one gRPC message.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>
    /// Reads the client's data and hands each chunk to <paramref name="send"/>, giving the chunk's SSH window
    /// back only once the stream took it, so the window re-opens no faster than the workspace accepts bytes.
    /// The buffer is reused after <paramref name="send"/> returns: send must have serialised it by then.
    /// Returns at the client's EOF (or CLOSE).
    /// </summary>
    public static async Task FromClientAsync(SshChannel channel, ConnectionTraffic traffic, IChannelRecording? recording,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        while (true)
        {
            // The buffer is taken once there is data: hundreds of idle sessions hold none.
            await channel.WaitToReadAsync(cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                var read = await channel.ReadHeldAsync(buffer.AsMemory(0, ChunkSize), cancellationToken);
                if (read == 0)
                {
                    return;
                }
                traffic.AddIn(read);
                recording?.Input(buffer.AsSpan(0, read));
                await send(buffer.AsMemory(0, read), cancellationToken);
                await channel.ReleaseAsync(read, cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Workspace → client bytes, counted and recorded; waits for the client's window.</summary>
    public static async ValueTask ToClientAsync(SshChannel channel, ConnectionTraffic traffic, IChannelRecording? recording,
        ReadOnlyMemory<byte> data, bool stderr, CancellationToken cancellationToken)
    {
        recording?.Output(data.Span);
        traffic.AddOut(data.Length);
        await (stderr ? channel.WriteStderrAsync(data, cancellationToken) : channel.WriteAsync(data, cancellationToken));
    }

    /// <summary>Awaits a loop whose peer went away: what it still had to send has nowhere to go.</summary>
    public static async Task QuietlyAsync(Task pump)
    {
        try
        {
            await pump;
        }
        catch (Exception ended) when (ended is RpcException or InvalidOperationException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The call or the channel ended first.
        }
    }
}
