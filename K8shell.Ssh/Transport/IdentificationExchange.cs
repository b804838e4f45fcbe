using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace K8shell.Ssh.Transport;

/// <summary>
/// Reads the peer's identification line (RFC 4253 §4.2). Lines that do not start with "SSH-" are
/// tolerated before it, as the RFC allows, but bounded in count and size so a peer cannot make us
/// buffer without end before authenticating. Bytes after the line stay in the pipe for key exchange.
/// </summary>
public static class IdentificationExchange
{
    /// <summary>OpenSSH's limit on lines before the identification.</summary>
    public const int MaxPrecedingLines = 1024;

    /// <summary>Everything read before the identification, in bytes (1024 lines of 64 bytes, about).</summary>
    public const int MaxPrecedingBytes = 64 * 1024;

    public static async ValueTask<SshIdentification> ReadAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var lines = 0;
        long bytesBefore = 0;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var found = false;
            try
            {
                while (TryTakeLine(ref buffer, out var line, out var lineBytes))
                {
                    if (line.StartsWith("SSH-", StringComparison.Ordinal))
                    {
                        found = true;
                        return SshIdentification.Parse(line);
                    }
                    lines++;
                    bytesBefore += lineBytes;
                    if (lines > MaxPrecedingLines || bytesBefore > MaxPrecedingBytes)
                    {
                        throw new SshProtocolException(SshDisconnectReason.ProtocolError,
                            $"no identification string within {MaxPrecedingLines} lines or {MaxPrecedingBytes} bytes");
                    }
                }
                if (buffer.Length >= SshIdentification.MaxLineLength)
                {
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError,
                        $"identification line longer than {SshIdentification.MaxLineLength} characters");
                }
                if (result.IsCompleted)
                {
                    throw new SshProtocolException(SshDisconnectReason.ConnectionLost,
                        "connection closed before the identification string");
                }
            }
            finally
            {
                if (found)
                {
                    // What follows the line (the peer's KEXINIT) is not examined yet: the next read
                    // must return it at once, not wait for more bytes the peer may never send first.
                    reader.AdvanceTo(buffer.Start);
                }
                else
                {
                    // Consumed lines are released; a partial line is kept and more is awaited.
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
    }

    /// <summary>Takes one line ending in LF (CR LF, or a bare LF from old implementations), without the terminator.</summary>
    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out string line, out long lineBytes)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = "";
            lineBytes = 0;
            return false;
        }
        var raw = buffer.Slice(0, newline.Value);
        lineBytes = raw.Length + 1;
        if (lineBytes > SshIdentification.MaxLineLength)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError,
                $"identification line longer than {SshIdentification.MaxLineLength} characters");
        }
        var bytes = raw.ToArray();
        var length = bytes.Length > 0 && bytes[^1] == '\r' ? bytes.Length - 1 : bytes.Length;
        if (Array.IndexOf(bytes, (byte)0, 0, length) >= 0)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, "identification line contains a NUL byte");
        }
        // Latin-1 maps every byte to one char and back: the exchange hash needs the exact bytes.
        line = Encoding.Latin1.GetString(bytes, 0, length);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }
}
