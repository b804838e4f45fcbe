using System.Buffers.Binary;
using System.Globalization;

namespace K8shell.Bench.Transport;

/// <summary>What the transport measure moves: chunks of k8shelld's read size, each behind gRPC's 5-byte message prefix.</summary>
internal static class TransportFrames
{
    public const int Size = 32 * 1024;

    /// <summary>How many chunks carry <paramref name="bytes"/> (a request's decimal text).</summary>
    public static long Count(string bytes) => long.Parse(bytes, CultureInfo.InvariantCulture) / Size;

    public static async Task SendAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var frame = new byte[5 + Size];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), Size);
        for (; count > 0; count--)
        {
            await stream.WriteAsync(frame, cancellationToken);
        }
    }

    /// <summary>Reads frames until <paramref name="bytes"/> of payload arrived.</summary>
    public static async Task ReceiveAsync(Stream stream, long bytes, CancellationToken cancellationToken)
    {
        var prefix = new byte[5];
        var payload = new byte[Size];
        for (long received = 0; received < bytes;)
        {
            await stream.ReadExactlyAsync(prefix, cancellationToken);
            var length = BinaryPrimitives.ReadInt32BigEndian(prefix.AsSpan(1));
            await stream.ReadExactlyAsync(payload.AsMemory(0, length), cancellationToken);
            received += length;
        }
    }
}
