using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace K8shell.Sessions.Recording;

/// <summary>
/// The IPv4 address a host appears as in a capture. LINKTYPE_RAW files here carry IPv4 only, so an IPv4 literal
/// (or an IPv4-mapped IPv6 one) is kept, and anything else (an IPv6 address, a host name) becomes a stable
/// synthetic address in 198.18.0.0/15, the benchmarking range of RFC 2544 that never appears on real networks:
/// the first 17 bits of SHA-256 over the lower-cased name pick it, so one name is one address in every file.
/// </summary>
internal static class SyntheticAddress
{
    private const uint BenchmarkingNetwork = 0xC6120000; // 198.18.0.0
    private const uint HostBits = 0x0001FFFF;            // /15

    /// <summary>The address in network order as an unsigned number (198.18.0.1 is 0xC6120001).</summary>
    public static uint ToIPv4(string host)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                Span<byte> bytes = stackalloc byte[4];
                address.TryWriteBytes(bytes, out _);
                return BinaryPrimitives.ReadUInt32BigEndian(bytes);
            }
            host = address.ToString(); // one spelling per IPv6 address
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(host.ToLowerInvariant()), hash);
        return BenchmarkingNetwork | (BinaryPrimitives.ReadUInt32BigEndian(hash) & HostBits);
    }

    /// <summary>Dotted form, for logs and tests.</summary>
    public static string Format(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes).ToString();
    }
}
