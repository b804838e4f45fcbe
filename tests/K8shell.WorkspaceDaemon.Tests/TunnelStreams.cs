using System.Net.Sockets;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>Reading tunnel calls and plain sockets the way the tunnel tests need: whole messages, exact byte counts, up to EOF.</summary>
internal static class TunnelStreams
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>The next message; the stream must not have ended.</summary>
    public static async Task<T> NextAsync<T>(this IAsyncStreamReader<T> stream)
    {
        Assert.True(await stream.MoveNext(Cancellation), "the call ended early");
        return stream.Current;
    }

    /// <summary>Data responses until <paramref name="count"/> bytes came (however the daemon chunked them).</summary>
    public static async Task<byte[]> ReadDataAsync(this IAsyncStreamReader<TunnelResponse> responses, int count)
    {
        var received = new MemoryStream();
        while (received.Length < count)
        {
            var response = await responses.NextAsync();
            Assert.Equal(TunnelResponse.MessageOneofCase.Data, response.MessageCase);
            response.Data.WriteTo(received);
        }
        return received.ToArray();
    }

    /// <summary>Data responses up to the eof response, which must come.</summary>
    public static async Task<byte[]> ReadDataToEofAsync(this IAsyncStreamReader<TunnelResponse> responses)
    {
        var received = new MemoryStream();
        while (await responses.NextAsync() is { MessageCase: TunnelResponse.MessageOneofCase.Data } response)
        {
            response.Data.WriteTo(received);
        }
        Assert.Equal(TunnelResponse.MessageOneofCase.Eof, responses.Current.MessageCase);
        return received.ToArray();
    }

    public static async Task<byte[]> ReceiveExactlyAsync(this Socket socket, int count)
    {
        var buffer = new byte[count];
        var received = 0;
        while (received < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, Cancellation);
            Assert.NotEqual(0, read);
            received += read;
        }
        return buffer;
    }

    /// <summary>Everything up to the peer's EOF.</summary>
    public static async Task<byte[]> ReceiveToEndAsync(this Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, Cancellation)) > 0)
        {
            received.Write(buffer, 0, read);
        }
        return received.ToArray();
    }
}
