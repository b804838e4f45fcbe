using System.Buffers;
using System.Security.Cryptography;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.HostKeys;
using K8shell.Ssh.Transport.Packets;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Transport.KeyExchange;

/// <summary>What a completed key exchange leaves behind.</summary>
public sealed record KeyExchangeResult(byte[] SessionId, NegotiatedAlgorithms Algorithms);

/// <summary>
/// The server's side of the first key exchange (RFC 4253 §7–8, RFC 8731), strict: exactly the
/// messages of the exchange in order, anything else ends the connection (OpenSSH's strict kex,
/// the Terrapin counter-measure). Afterwards both directions are protected and, with strict kex,
/// sequence numbers restart at zero.
/// </summary>
public sealed class ServerKeyExchange(PacketReader reader, PacketWriter writer, HostKey hostKey)
{
    /// <summary>Public key algorithms we verify for user authentication, announced as server-sig-algs (RFC 8308).</summary>
    public static readonly IReadOnlyList<string> ServerSignatureAlgorithms =
    [
        AlgorithmNames.Ed25519, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        AlgorithmNames.RsaSha512, AlgorithmNames.RsaSha256,
    ];

    public async ValueTask<KeyExchangeResult> RunInitialAsync(SshIdentification client, SshIdentification server, CancellationToken cancellationToken)
    {
        var ours = KexInitMessage.ForServer(hostKey.Algorithms);
        var ourPayload = Serialize(ours.WriteTo);
        writer.Write(ourPayload);
        await writer.FlushAsync(cancellationToken);

        byte[] clientPayload;
        using (var packet = await ExpectAsync(SshMessageNumber.KexInit, cancellationToken))
        {
            clientPayload = packet.Payload.ToArray();
        }
        var theirs = KexInitMessage.Parse(clientPayload);
        var negotiated = NegotiatedAlgorithms.Negotiate(theirs, ours, initialKex: true);
        if (theirs.FirstKexPacketFollows && !GuessedRight(theirs, negotiated))
        {
            // RFC 4253 §7: a wrong guess's packet is ignored.
            (await reader.ReadAsync(cancellationToken)).Dispose();
        }

        var (hash, sharedSecret, exchangeHash) = negotiated.Kex switch
        {
            AlgorithmNames.Curve25519Sha256 or AlgorithmNames.Curve25519Sha256LibSsh =>
                await Curve25519Async(client, server, clientPayload, ourPayload, negotiated.HostKey, cancellationToken),
            _ => throw new SshProtocolException(SshDisconnectReason.KeyExchangeFailed, $"key exchange {negotiated.Kex} is not implemented"),
        };

        var keys = new SessionKeys(hash, sharedSecret, exchangeHash, sessionId: exchangeHash);
        writer.Write([(byte)SshMessageNumber.NewKeys]);
        writer.Protection = PacketProtections.Create(negotiated.CipherServerToClient, negotiated.MacServerToClient, keys, clientToServer: false);
        if (negotiated.StrictKex)
        {
            writer.SequenceNumber = 0;
        }
        if (negotiated.ClientWantsExtInfo)
        {
            // RFC 8308 §2.4: right after our first NEWKEYS.
            writer.Write(Serialize(WriteExtInfo));
        }
        await writer.FlushAsync(cancellationToken);

        (await ExpectAsync(SshMessageNumber.NewKeys, cancellationToken)).Dispose();
        reader.Protection = PacketProtections.Create(negotiated.CipherClientToServer, negotiated.MacClientToServer, keys, clientToServer: true);
        if (negotiated.StrictKex)
        {
            reader.SequenceNumber = 0;
        }
        return new KeyExchangeResult(exchangeHash, negotiated);
    }

    private async ValueTask<(HashAlgorithmName, byte[], byte[])> Curve25519Async(
        SshIdentification client, SshIdentification server, byte[] clientKexInit, byte[] serverKexInit, string hostKeyAlgorithm, CancellationToken cancellationToken)
    {
        byte[] clientPublic;
        using (var packet = await ExpectAsync(SshMessageNumber.KexEcdhInit, cancellationToken))
        {
            var message = new SshReader(packet.Payload[1..]);
            clientPublic = message.ReadString().ToArray();
            message.EnsureAtEnd("SSH_MSG_KEX_ECDH_INIT");
        }
        var (serverPublic, secret) = Curve25519Agreement.Agree(clientPublic);
        var sharedSecret = SessionKeys.EncodeSharedSecret(secret);

        // RFC 8731 §3 / RFC 5656 §4: H = SHA256(V_C || V_S || I_C || I_S || K_S || Q_C || Q_S || K)
        var exchangeHash = SHA256.HashData(Serialize(w =>
        {
            w.WriteString(client.LineBytes());
            w.WriteString(server.LineBytes());
            w.WriteString(clientKexInit);
            w.WriteString(serverKexInit);
            w.WriteString(hostKey.PublicKeyBlob);
            w.WriteString(clientPublic);
            w.WriteString(serverPublic);
        }).Concat(sharedSecret).ToArray());

        writer.Write(Serialize(w =>
        {
            w.WriteByte((byte)SshMessageNumber.KexEcdhReply);
            w.WriteString(hostKey.PublicKeyBlob);
            w.WriteString(serverPublic);
            w.WriteString(hostKey.Sign(hostKeyAlgorithm, exchangeHash));
        }));
        return (HashAlgorithmName.SHA256, sharedSecret, exchangeHash);
    }

    /// <summary>The next packet, which must be <paramref name="expected"/>: nothing else may interleave a strict exchange.</summary>
    private async ValueTask<SshPacket> ExpectAsync(SshMessageNumber expected, CancellationToken cancellationToken)
    {
        var packet = await reader.ReadAsync(cancellationToken);
        if (packet.MessageNumber != (byte)expected)
        {
            var got = packet.MessageNumber;
            packet.Dispose();
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"key exchange: expected message {(byte)expected} ({expected}), got {got}");
        }
        return packet;
    }

    private static bool GuessedRight(KexInitMessage client, NegotiatedAlgorithms negotiated) =>
        client.KexAlgorithms.FirstOrDefault() == negotiated.Kex && client.HostKeyAlgorithms.FirstOrDefault() == negotiated.HostKey;

    private static void WriteExtInfo(SshWriter writer)
    {
        writer.WriteByte((byte)SshMessageNumber.ExtInfo);
        writer.WriteUInt32(1);
        writer.WriteUtf8("server-sig-algs");
        writer.WriteNameList([.. ServerSignatureAlgorithms]);
    }

    private static byte[] Serialize(Action<SshWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new SshWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }
}
