using System.Security.Cryptography;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Transport;

/// <summary>SSH_MSG_KEXINIT (RFC 4253 §7.1): each side's algorithm lists, in its order of preference.</summary>
public sealed record KexInitMessage(
    byte[] Cookie,
    IReadOnlyList<string> KexAlgorithms,
    IReadOnlyList<string> HostKeyAlgorithms,
    IReadOnlyList<string> CiphersClientToServer,
    IReadOnlyList<string> CiphersServerToClient,
    IReadOnlyList<string> MacsClientToServer,
    IReadOnlyList<string> MacsServerToClient,
    IReadOnlyList<string> CompressionClientToServer,
    IReadOnlyList<string> CompressionServerToClient,
    bool FirstKexPacketFollows)
{
    public const int CookieLength = 16;

    /// <summary>The server's offer of SPEC.md §2 with a fresh random cookie.</summary>
    public static KexInitMessage ForServer(IReadOnlyList<string> hostKeyAlgorithms) => new(
        RandomNumberGenerator.GetBytes(CookieLength),
        AlgorithmNames.ServerKex,
        hostKeyAlgorithms,
        AlgorithmNames.ServerCiphers,
        AlgorithmNames.ServerCiphers,
        AlgorithmNames.ServerMacs,
        AlgorithmNames.ServerMacs,
        AlgorithmNames.ServerCompression,
        AlgorithmNames.ServerCompression,
        FirstKexPacketFollows: false);

    /// <summary>Parses a whole KEXINIT payload, message number included.</summary>
    public static KexInitMessage Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload);
        if (reader.ReadByte() != (byte)SshMessageNumber.KexInit)
        {
            throw SshProtocolException.Malformed("KEXINIT: wrong message number");
        }
        if (reader.Remaining < CookieLength)
        {
            throw SshProtocolException.Malformed("KEXINIT: cookie");
        }
        var cookie = new byte[CookieLength];
        for (var i = 0; i < CookieLength; i++)
        {
            cookie[i] = reader.ReadByte();
        }
        var message = new KexInitMessage(
            cookie,
            reader.ReadNameList(),
            reader.ReadNameList(),
            reader.ReadNameList(),
            reader.ReadNameList(),
            reader.ReadNameList(),
            reader.ReadNameList(),
            reader.ReadNameList(),
            reader.ReadNameList(),
            FirstKexPacketFollows: SkipLanguages(ref reader));
        reader.ReadUInt32(); // reserved for future extension
        reader.EnsureAtEnd("KEXINIT");
        return message;
    }

    public void WriteTo(SshWriter writer)
    {
        writer.WriteByte((byte)SshMessageNumber.KexInit);
        foreach (var b in Cookie)
        {
            writer.WriteByte(b);
        }
        writer.WriteNameList([.. KexAlgorithms]);
        writer.WriteNameList([.. HostKeyAlgorithms]);
        writer.WriteNameList([.. CiphersClientToServer]);
        writer.WriteNameList([.. CiphersServerToClient]);
        writer.WriteNameList([.. MacsClientToServer]);
        writer.WriteNameList([.. MacsServerToClient]);
        writer.WriteNameList([.. CompressionClientToServer]);
        writer.WriteNameList([.. CompressionServerToClient]);
        writer.WriteNameList([]); // languages client to server: none
        writer.WriteNameList([]); // languages server to client: none
        writer.WriteBoolean(FirstKexPacketFollows);
        writer.WriteUInt32(0);
    }

    /// <summary>Languages are read and ignored (no implementation negotiates them); returns first_kex_packet_follows.</summary>
    private static bool SkipLanguages(ref SshReader reader)
    {
        reader.ReadNameList();
        reader.ReadNameList();
        return reader.ReadBoolean();
    }
}
