using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace K8shell.Ssh.Wire;

/// <summary>Writes RFC 4251 §5 data types into a buffer (pooled on the data path, growable in tests).</summary>
public readonly struct SshWriter(IBufferWriter<byte> buffer)
{
    /// <summary>What <paramref name="write"/> writes, as an array (messages built once, outside the data path).</summary>
    public static byte[] Serialize(Action<SshWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new SshWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    public void WriteByte(byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    /// <summary>Bytes already in wire format (e.g. a global request's response data).</summary>
    public void WriteRaw(ReadOnlySpan<byte> value) => buffer.Write(value);

    public void WriteString(ReadOnlySpan<byte> value)
    {
        WriteUInt32((uint)value.Length);
        buffer.Write(value);
    }

    public void WriteUtf8(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)length);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    /// <summary>A comma-separated name-list of our own algorithm or method names.</summary>
    public void WriteNameList(IReadOnlyCollection<string> names) => WriteUtf8(string.Join(',', names));

    /// <summary>
    /// A non-negative mpint from an unsigned big-endian magnitude: leading zeros dropped, and a zero
    /// byte added when the top bit is set so the number does not read as negative.
    /// </summary>
    public void WriteUnsignedMPInt(ReadOnlySpan<byte> magnitude)
    {
        var start = magnitude.IndexOfAnyExcept((byte)0);
        if (start < 0)
        {
            WriteUInt32(0);
            return;
        }
        var digits = magnitude[start..];
        var pad = (digits[0] & 0x80) != 0 ? 1 : 0;
        WriteUInt32((uint)(digits.Length + pad));
        if (pad == 1)
        {
            WriteByte(0);
        }
        buffer.Write(digits);
    }
}
