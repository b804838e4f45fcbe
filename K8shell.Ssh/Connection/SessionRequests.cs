using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Connection;

/// <summary>"pty-req" (RFC 4254 §6.2). <see cref="TerminalModes"/> keeps the encoded modes for the PTY's owner to apply.</summary>
public sealed record PtyRequest(string Term, uint Columns, uint Rows, uint WidthPixels, uint HeightPixels, byte[] TerminalModes)
{
    /// <summary>TTY_OP_END, and the largest opcode with a uint32 argument (RFC 4254 §8: 160 and above are reserved).</summary>
    private const byte EndOfModes = 0;
    private const byte LastModeOpcode = 159;

    public static PtyRequest Parse(ReadOnlySpan<byte> data)
    {
        var reader = new SshReader(data);
        var request = new PtyRequest(reader.ReadUtf8(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadString().ToArray());
        reader.EnsureAtEnd("pty-req");
        return request;
    }

    /// <summary>The modes as opcode → value (VINTR, ECHO, ISPEED, ...); malformed lists are refused.</summary>
    public IReadOnlyDictionary<byte, uint> DecodeTerminalModes() => DecodeTerminalModes(TerminalModes);

    /// <summary>Encoded terminal modes as pty-req carries them (opcode, uint32, ..., TTY_OP_END) as opcode → value.</summary>
    public static IReadOnlyDictionary<byte, uint> DecodeTerminalModes(ReadOnlySpan<byte> encoded)
    {
        var modes = new Dictionary<byte, uint>();
        var reader = new SshReader(encoded);
        while (!reader.IsAtEnd)
        {
            var opcode = reader.ReadByte();
            // Reserved opcodes (160 and above) have arguments we cannot size: stop there, as OpenSSH does.
            if (opcode is EndOfModes or > LastModeOpcode)
            {
                break;
            }
            modes[opcode] = reader.ReadUInt32();
        }
        return modes;
    }
}

/// <summary>"window-change" (RFC 4254 §6.7).</summary>
public sealed record WindowChangeRequest(uint Columns, uint Rows, uint WidthPixels, uint HeightPixels)
{
    public static WindowChangeRequest Parse(ReadOnlySpan<byte> data)
    {
        var reader = new SshReader(data);
        var request = new WindowChangeRequest(reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32());
        reader.EnsureAtEnd("window-change");
        return request;
    }
}

/// <summary>"env" (RFC 4254 §6.4). Which names to honour is the host's policy.</summary>
public sealed record EnvRequest(string Name, string Value)
{
    public static EnvRequest Parse(ReadOnlySpan<byte> data)
    {
        var reader = new SshReader(data);
        var request = new EnvRequest(reader.ReadUtf8(), reader.ReadUtf8());
        reader.EnsureAtEnd("env");
        return request;
    }
}

/// <summary>A request whose data is one string: "exec" (command), "subsystem" (name), "signal" (name without SIG).</summary>
public static class StringRequest
{
    public static string Parse(ReadOnlySpan<byte> data, string request)
    {
        var reader = new SshReader(data);
        var value = reader.ReadUtf8();
        reader.EnsureAtEnd(request);
        return value;
    }
}

/// <summary>"direct-tcpip" channel data (RFC 4254 §7.2): where to connect, and who asked.</summary>
public sealed record DirectTcpipRequest(string Host, uint Port, string OriginatorAddress, uint OriginatorPort)
{
    public static DirectTcpipRequest Parse(ReadOnlySpan<byte> data)
    {
        var reader = new SshReader(data);
        var request = new DirectTcpipRequest(reader.ReadUtf8(), reader.ReadUInt32(), reader.ReadUtf8(), reader.ReadUInt32());
        reader.EnsureAtEnd("direct-tcpip");
        if (request.Port > ushort.MaxValue)
        {
            throw SshProtocolException.Malformed($"direct-tcpip: port {request.Port}");
        }
        return request;
    }
}

/// <summary>"direct-streamlocal@openssh.com" channel data (OpenSSH PROTOCOL §2.4): the socket path.</summary>
public sealed record DirectStreamLocalRequest(string SocketPath)
{
    public static DirectStreamLocalRequest Parse(ReadOnlySpan<byte> data)
    {
        var reader = new SshReader(data);
        var path = reader.ReadUtf8();
        // Reserved string and uint32 follow; older clients omit them.
        if (!reader.IsAtEnd)
        {
            reader.ReadString();
            reader.ReadUInt32();
        }
        reader.EnsureAtEnd("direct-streamlocal@openssh.com");
        return new DirectStreamLocalRequest(path);
    }
}
