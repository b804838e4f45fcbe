using System.Buffers;
using System.Text.Unicode;

namespace K8shell.Sessions.Recording;

/// <summary>
/// Decodes UTF-8 that arrives in pieces: a character cut at the end of one piece is kept (at most three bytes)
/// and finished by the next, and invalid bytes become U+FFFD as <see cref="System.Text.Encoding.UTF8"/> would make
/// them of the whole. Unlike a <see cref="System.Text.Decoder"/>, the kept bytes can be read and restored, so a
/// recording resumed after a restart decodes exactly as if it had never stopped.
/// </summary>
internal sealed class Utf8Carry
{
    private readonly byte[] _pending = new byte[4];
    private int _count;

    /// <summary>The bytes of a character not yet complete.</summary>
    public byte[] Pending
    {
        get => _pending[.._count];
        init
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, 3, nameof(Pending));
            value.CopyTo(_pending, 0);
            _count = value.Length;
        }
    }

    /// <summary>
    /// Decodes the kept bytes and <paramref name="data"/> into <paramref name="chars"/> (room for every byte plus
    /// three), keeping a cut character's bytes unless <paramref name="final"/>; returns how many chars were written.
    /// </summary>
    public int Decode(ReadOnlySpan<byte> data, Span<char> chars, bool final)
    {
        if (_count == 0)
        {
            return DecodeKeepingTail(data, chars, final);
        }
        var joined = ArrayPool<byte>.Shared.Rent(_count + data.Length);
        try
        {
            _pending.AsSpan(0, _count).CopyTo(joined);
            data.CopyTo(joined.AsSpan(_count));
            return DecodeKeepingTail(joined.AsSpan(0, _count + data.Length), chars, final);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(joined);
        }
    }

    private int DecodeKeepingTail(ReadOnlySpan<byte> source, Span<char> chars, bool final)
    {
        var status = Utf8.ToUtf16(source, chars, out var read, out var written, replaceInvalidSequences: true, isFinalBlock: final);
        if (status == OperationStatus.DestinationTooSmall)
        {
            throw new ArgumentException("The destination has no room for every decoded character.", nameof(chars));
        }
        // NeedMoreData leaves the start of a valid but unfinished character unread: keep it for the next piece.
        var tail = source[read..];
        tail.CopyTo(_pending);
        _count = tail.Length;
        return written;
    }
}
