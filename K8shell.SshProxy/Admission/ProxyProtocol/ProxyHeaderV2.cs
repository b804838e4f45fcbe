using System.Buffers.Binary;
using System.Net;

namespace K8shell.SshProxy.Admission.ProxyProtocol;

/// <summary>
/// The binary header (haproxy's proxy-protocol.txt §2.2): 12-byte signature, version/command, family/transport,
/// length, addresses, then TLVs (skipped). Bounded by <see cref="MaxLength"/> so a peer cannot make us buffer much.
/// </summary>
internal static class ProxyHeaderV2
{
    /// <summary>Signature, fixed fields, addresses and TLVs together.</summary>
    public const int MaxLength = 4096;

    private const int FixedLength = 16;

    /// <summary>
    /// False while the header is incomplete; otherwise the bytes it takes and the source it names (null for
    /// LOCAL, UNSPEC and UNIX: use the peer's address). Throws <see cref="ProxyProtocolException"/> on anything malformed.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out int consumed, out IPEndPoint? source)
    {
        consumed = 0;
        source = null;
        if (buffer.Length < FixedLength)
        {
            return false;
        }
        var version = buffer[12] >> 4;
        var command = buffer[12] & 0x0F;
        if (version != 2)
        {
            throw new ProxyProtocolException($"PROXY v2 header has version {version}, expected 2.");
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(buffer[14..]);
        if (FixedLength + length > MaxLength)
        {
            throw new ProxyProtocolException($"PROXY v2 header is {FixedLength + length} bytes, more than the {MaxLength} accepted.");
        }
        if (buffer.Length < FixedLength + length)
        {
            return false;
        }
        consumed = FixedLength + length;
        var body = buffer.Slice(FixedLength, length);
        switch (command)
        {
            case 0x0: // LOCAL: the balancer's own connection (health check); the peer is who it is.
                return true;
            case 0x1:
                source = ParseProxy(buffer[13], body);
                return true;
            default:
                throw new ProxyProtocolException($"PROXY v2 header has command {command}, expected LOCAL (0) or PROXY (1).");
        }
    }

    private static IPEndPoint? ParseProxy(byte familyAndTransport, ReadOnlySpan<byte> body)
    {
        var family = familyAndTransport >> 4;
        var transport = familyAndTransport & 0x0F;
        if (family is 0x0 or 0x3)
        {
            // UNSPEC or UNIX: no IP to speak of; the receiver uses the real connection's addresses.
            return null;
        }
        if (transport != 0x1)
        {
            throw new ProxyProtocolException($"PROXY v2 header has transport {transport}, expected STREAM (1).");
        }
        return family switch
        {
            0x1 => Read(body, addressLength: 4, "IPv4"),
            0x2 => Read(body, addressLength: 16, "IPv6"),
            _ => throw new ProxyProtocolException($"PROXY v2 header has address family {family}, expected AF_INET (1), AF_INET6 (2), AF_UNIX (3) or UNSPEC (0)."),
        };
    }

    private static IPEndPoint Read(ReadOnlySpan<byte> body, int addressLength, string familyName)
    {
        var needed = 2 * addressLength + 4;
        if (body.Length < needed)
        {
            throw new ProxyProtocolException($"PROXY v2 header carries {body.Length} address bytes, {familyName} needs {needed}.");
        }
        var address = new IPAddress(body[..addressLength]);
        var port = BinaryPrimitives.ReadUInt16BigEndian(body[(2 * addressLength)..]);
        return new IPEndPoint(address, port);
    }
}
