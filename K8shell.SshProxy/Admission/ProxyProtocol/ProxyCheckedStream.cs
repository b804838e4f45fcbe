namespace K8shell.SshProxy.Admission.ProxyProtocol;

/// <summary>
/// The connection as the SSH layer reads it after the PROXY header step: first the bytes the header reader
/// read past the header (or its read still in flight), then the socket. When a header is not acceptable
/// here (untrusted peer, or a trusted peer's header arriving too late) it inspects the first bytes the SSH
/// layer asks for and fails with a clear message if they are a PROXY signature. Nothing is read before the
/// SSH layer asks: our identification line goes out first, as clients that wait for it need.
/// </summary>
internal sealed class ProxyCheckedStream : Stream
{
    private readonly Stream _inner;
    private byte[] _prefix;
    private int _offset;
    private int _count;
    private Task<int>? _pendingFill;
    private string? _refusal;

    private ProxyCheckedStream(Stream inner, byte[] prefix, int count, Task<int>? pendingFill, string? refusal)
    {
        _inner = inner;
        _prefix = prefix;
        _count = count;
        _pendingFill = pendingFill;
        _refusal = refusal;
    }

    /// <summary>The socket after an accepted header (or none from a trusted peer): <paramref name="readPastHeader"/> first.</summary>
    public static ProxyCheckedStream Replaying(Stream inner, ReadOnlySpan<byte> readPastHeader) =>
        new(inner, readPastHeader.ToArray(), readPastHeader.Length, pendingFill: null, refusal: null);

    /// <summary>The socket of a peer that may not send a header: one is refused with "PROXY vN header " + <paramref name="refusal"/>.</summary>
    public static ProxyCheckedStream Refusing(Stream inner, string refusal) =>
        new(inner, new byte[256], 0, pendingFill: null, refusal);

    /// <summary>As <see cref="Refusing"/>, after a read into <paramref name="buffer"/> (at offset 0) that has not completed yet.</summary>
    public static ProxyCheckedStream AfterPendingRead(Stream inner, byte[] buffer, Task<int> pendingRead, string refusal) =>
        new(inner, buffer, 0, pendingRead, refusal);

    public override bool CanRead => true;

    public override bool CanWrite => _inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_pendingFill is { } fill)
        {
            _count = await fill.WaitAsync(cancellationToken);
            _offset = 0;
            _pendingFill = null;
        }
        if (_refusal is not null)
        {
            await InspectFirstBytesAsync(cancellationToken);
        }
        if (_count > 0)
        {
            var length = Math.Min(_count, destination.Length);
            _prefix.AsMemory(_offset, length).CopyTo(destination);
            _offset += length;
            _count -= length;
            return length;
        }
        return await _inner.ReadAsync(destination, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(source, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => _inner.DisposeAsync();

    /// <summary>Reads just enough to tell "SSH-..." from a PROXY signature (one byte, normally), keeping what it read for the caller.</summary>
    private async ValueTask InspectFirstBytesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (ProxySignature.Match(_prefix.AsSpan(_offset, _count)))
            {
                case ProxySignatureMatch.None:
                    _refusal = null;
                    return;
                case ProxySignatureMatch.Version1:
                    throw new ProxyProtocolException("PROXY v1 header " + _refusal);
                case ProxySignatureMatch.Version2:
                    throw new ProxyProtocolException("PROXY v2 header " + _refusal);
            }
            if (_prefix.Length - _offset - _count < ProxySignature.LongestLength)
            {
                var grown = new byte[Math.Max(256, _count + ProxySignature.LongestLength)];
                _prefix.AsSpan(_offset, _count).CopyTo(grown);
                _prefix = grown;
                _offset = 0;
            }
            var read = await _inner.ReadAsync(_prefix.AsMemory(_offset + _count), cancellationToken);
            if (read == 0)
            {
                // End of stream inside a would-be signature: nothing to refuse, the reader sees what there is.
                _refusal = null;
                return;
            }
            _count += read;
        }
    }
}
