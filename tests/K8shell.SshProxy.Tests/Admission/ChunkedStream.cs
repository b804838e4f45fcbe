namespace K8shell.SshProxy.Tests.Admission;

/// <summary>
/// A peer's bytes as TCP may deliver them: each read returns 1 to <paramref name="maxChunk"/> bytes (chosen by
/// <paramref name="random"/>), then end of stream. What is written to it is dropped.
/// </summary>
internal sealed class ChunkedStream(byte[] data, Random random, int maxChunk) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var length = Math.Min(Math.Min(count, random.Next(1, maxChunk + 1)), data.Length - _position);
        data.AsSpan(_position, length).CopyTo(buffer.AsSpan(offset));
        _position += length;
        return length;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var length = Math.Min(Math.Min(destination.Length, random.Next(1, maxChunk + 1)), data.Length - _position);
        data.AsMemory(_position, length).CopyTo(destination);
        _position += length;
        return ValueTask.FromResult(length);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
