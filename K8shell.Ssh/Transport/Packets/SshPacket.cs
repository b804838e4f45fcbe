using System.Buffers;

namespace K8shell.Ssh.Transport.Packets;

/// <summary>
/// One received packet's payload, in a pooled buffer that <see cref="Dispose"/> returns. The reader
/// refuses empty payloads, so the message number is always there.
/// </summary>
public readonly struct SshPacket(byte[] buffer, int offset, int length) : IDisposable
{
    public ReadOnlySpan<byte> Payload => buffer.AsSpan(offset, length);

    public byte MessageNumber => buffer[offset];

    /// <summary>Part of the payload, owning the same buffer: hand it on instead of disposing this one.</summary>
    public SshPacket Slice(int start, int count) => new(buffer, offset + start, count);

    public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
}
