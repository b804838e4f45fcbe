using System.Buffers.Binary;
using System.Text;

namespace K8shell.Ssh.Wire;

/// <summary>
/// Reads RFC 4251 §5 data types from a packet payload without copying. Every read checks bounds
/// and encoding rules and throws <see cref="SshProtocolException"/> (ProtocolError) when the peer
/// sent something that is not valid SSH.
/// </summary>
public ref struct SshReader(ReadOnlySpan<byte> payload)
{
    private readonly ReadOnlySpan<byte> _payload = payload;
    private int _position;

    public readonly int Remaining => _payload.Length - _position;

    public readonly bool IsAtEnd => _position == _payload.Length;

    public byte ReadByte() => Take(1, "byte")[0];

    /// <summary>RFC 4251: any non-zero value is TRUE.</summary>
    public bool ReadBoolean() => ReadByte() != 0;

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4, "uint32"));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8, "uint64"));

    /// <summary>A length-prefixed byte string, as a slice of the payload (valid while the payload is).</summary>
    public ReadOnlySpan<byte> ReadString()
    {
        var length = ReadUInt32();
        if (length > (uint)Remaining)
        {
            throw SshProtocolException.Malformed($"string: length {length} exceeds the {Remaining} bytes left");
        }
        return Take((int)length, "string");
    }

    /// <summary>A string holding UTF-8 text (user names, commands, messages); invalid UTF-8 is refused.</summary>
    public string ReadUtf8()
    {
        var bytes = ReadString();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw SshProtocolException.Malformed("UTF-8 string");
        }
    }

    /// <summary>A string holding US-ASCII (algorithm names, request types).</summary>
    public string ReadAscii()
    {
        var bytes = ReadString();
        foreach (var b in bytes)
        {
            if (b is 0 or > 127)
            {
                throw SshProtocolException.Malformed("ASCII string");
            }
        }
        return Encoding.ASCII.GetString(bytes);
    }

    /// <summary>A comma-separated name-list: names are non-empty, printable ASCII without commas.</summary>
    public string[] ReadNameList()
    {
        var list = ReadString();
        if (list.IsEmpty)
        {
            return [];
        }
        foreach (var b in list)
        {
            if (b is <= 32 or >= 127)
            {
                throw SshProtocolException.Malformed("name-list: names are printable US-ASCII");
            }
        }
        var names = Encoding.ASCII.GetString(list).Split(',');
        if (Array.Exists(names, name => name.Length == 0))
        {
            throw SshProtocolException.Malformed("name-list: empty name");
        }
        return names;
    }

    /// <summary>
    /// An mpint that must be non-negative, returned as its minimal unsigned big-endian magnitude
    /// (empty for zero). Negative or non-minimal encodings are refused, as OpenSSH does.
    /// </summary>
    public ReadOnlySpan<byte> ReadUnsignedMPInt()
    {
        var value = ReadString();
        if (value.IsEmpty)
        {
            return value;
        }
        if ((value[0] & 0x80) != 0)
        {
            throw SshProtocolException.Malformed("mpint: negative where a positive number is required");
        }
        if (value[0] == 0)
        {
            if (value.Length == 1 || (value[1] & 0x80) == 0)
            {
                throw SshProtocolException.Malformed("mpint: leading zero byte not needed");
            }
            return value[1..];
        }
        return value;
    }

    /// <summary>Everything not read yet: the type-specific tail of a request or channel open.</summary>
    public ReadOnlySpan<byte> ReadRemaining() => Take(Remaining, "rest");

    /// <summary>Refuses trailing bytes: a message that is longer than its fields is malformed too.</summary>
    public readonly void EnsureAtEnd(string message)
    {
        if (!IsAtEnd)
        {
            throw SshProtocolException.Malformed($"{message}: {Remaining} unexpected trailing bytes");
        }
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining)
        {
            throw SshProtocolException.Malformed($"{what}: needs {count} bytes, {Remaining} left");
        }
        var slice = _payload.Slice(_position, count);
        _position += count;
        return slice;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
