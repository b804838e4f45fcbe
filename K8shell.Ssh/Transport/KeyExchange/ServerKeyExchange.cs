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
/// The server's side of key exchange (RFC 4253 §7–9, RFC 8268, RFC 8731) for one connection: the
/// first exchange, strict (exactly its messages in order, anything else ends the connection:
/// OpenSSH's strict kex, the Terrapin counter-measure), and every re-exchange after it, which keeps
/// the first session identifier. With strict kex, sequence numbers restart at zero after every NEWKEYS.
/// </summary>
public sealed class ServerKeyExchange(
    PacketReader reader, PacketWriter writer, IReadOnlyList<HostKey> hostKeys, SshIdentification client, SshIdentification server)
{
    private byte[]? _sessionId;
    private bool _strict;

    /// <summary>Public key algorithms we verify for user authentication, announced as server-sig-algs (RFC 8308).</summary>
    public static readonly IReadOnlyList<string> ServerSignatureAlgorithms =
    [
        AlgorithmNames.Ed25519, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        AlgorithmNames.RsaSha512, AlgorithmNames.RsaSha256,
    ];

    /// <summary>The first exchange: we send KEXINIT and expect the client's.</summary>
    public ValueTask<KeyExchangeResult> RunInitialAsync(CancellationToken cancellationToken) =>
        RunAsync(ourKexInit: null, clientKexInit: null, cancellationToken);

    /// <summary>
    /// Queues our KEXINIT to start a re-exchange (the caller flushes it) and returns its payload for
    /// <see cref="RekeyAsync"/>, which runs once the client's KEXINIT arrives.
    /// </summary>
    public byte[] WriteKexInit()
    {
        var payload = SshWriter.Serialize(OurKexInit().WriteTo);
        writer.Write(payload);
        return payload;
    }

    /// <summary>
    /// A re-exchange: the client's KEXINIT has arrived, ours was sent already (<paramref name="ourKexInit"/>)
    /// or is sent now. The caller keeps every other sender waiting until it returns: between KEXINIT and
    /// NEWKEYS only key exchange may be sent.
    /// </summary>
    public ValueTask<KeyExchangeResult> RekeyAsync(byte[]? ourKexInit, byte[] clientKexInit, CancellationToken cancellationToken) =>
        RunAsync(ourKexInit, clientKexInit, cancellationToken);

    /// <summary>What our keys can sign, in SPEC.md §2's order of preference.</summary>
    private KexInitMessage OurKexInit() =>
        KexInitMessage.ForServer([.. AlgorithmNames.ServerHostKeys.Where(name => hostKeys.Any(key => key.Algorithms.Contains(name)))]);

    private async ValueTask<KeyExchangeResult> RunAsync(byte[]? ourKexInit, byte[]? clientKexInit, CancellationToken cancellationToken)
    {
        var initial = _sessionId is null;
        var ourPayload = ourKexInit;
        if (ourPayload is null)
        {
            ourPayload = WriteKexInit();
            await writer.FlushAsync(cancellationToken);
        }
        var ours = KexInitMessage.Parse(ourPayload);

        var clientPayload = clientKexInit;
        if (clientPayload is null)
        {
            using var packet = await ExpectAsync(SshMessageNumber.KexInit, initial, cancellationToken);
            clientPayload = packet.Payload.ToArray();
        }
        var theirs = KexInitMessage.Parse(clientPayload);
        var negotiated = NegotiatedAlgorithms.Negotiate(theirs, ours, initial);
        if (initial)
        {
            _strict = negotiated.StrictKex;
        }
        if (theirs.FirstKexPacketFollows && !GuessedRight(theirs, negotiated))
        {
            // RFC 4253 §7: a wrong guess's packet is ignored.
            (await reader.ReadAsync(cancellationToken)).Dispose();
        }

        // Both methods send one public value each way (ECDH_INIT/REPLY and KEXDH_INIT/REPLY share numbers 30 and 31);
        // curve25519 sends it as a string (RFC 8731), finite-field DH as an mpint (RFC 4253 §8).
        var hostKey = hostKeys.First(key => key.Algorithms.Contains(negotiated.HostKey));
        var context = new ExchangeContext(clientPayload, ourPayload, hostKey, negotiated.HostKey, initial);
        var (hash, sharedSecret, exchangeHash) = negotiated.Kex switch
        {
            AlgorithmNames.MlKem768X25519Sha256 => await ExchangeAsync(
                context, HashAlgorithmName.SHA256, publicValuesAsMPInt: false, MlKem768X25519Agreement.Agree, cancellationToken, secretAsString: true),
            AlgorithmNames.Sntrup761X25519Sha512 or AlgorithmNames.Sntrup761X25519Sha512Ietf => await ExchangeAsync(
                context, HashAlgorithmName.SHA512, publicValuesAsMPInt: false, Sntrup761X25519Agreement.Agree, cancellationToken, secretAsString: true),
            AlgorithmNames.Curve25519Sha256 or AlgorithmNames.Curve25519Sha256LibSsh => await ExchangeAsync(
                context, HashAlgorithmName.SHA256, publicValuesAsMPInt: false, Curve25519Agreement.Agree, cancellationToken),
            AlgorithmNames.DhGroup14Sha256 => await ExchangeAsync(
                context, HashAlgorithmName.SHA256, publicValuesAsMPInt: true, DiffieHellmanGroup.For(negotiated.Kex).Agree, cancellationToken),
            AlgorithmNames.DhGroup16Sha512 or AlgorithmNames.DhGroup18Sha512 => await ExchangeAsync(
                context, HashAlgorithmName.SHA512, publicValuesAsMPInt: true, DiffieHellmanGroup.For(negotiated.Kex).Agree, cancellationToken),
            _ => throw new SshProtocolException(SshDisconnectReason.KeyExchangeFailed, $"key exchange {negotiated.Kex} is not implemented"),
        };

        _sessionId ??= exchangeHash;
        var keys = new SessionKeys(hash, sharedSecret, exchangeHash, _sessionId);
        writer.Write([(byte)SshMessageNumber.NewKeys]);
        writer.Protection = PacketProtections.Create(negotiated.CipherServerToClient, negotiated.MacServerToClient, keys, clientToServer: false);
        if (_strict)
        {
            writer.SequenceNumber = 0;
        }
        if (initial && negotiated.ClientWantsExtInfo)
        {
            // RFC 8308 §2.4: right after our first NEWKEYS.
            writer.Write(SshWriter.Serialize(WriteExtInfo));
        }
        await writer.FlushAsync(cancellationToken);

        (await ExpectAsync(SshMessageNumber.NewKeys, initial, cancellationToken)).Dispose();
        reader.Protection = PacketProtections.Create(negotiated.CipherClientToServer, negotiated.MacClientToServer, keys, clientToServer: true);
        if (_strict)
        {
            reader.SequenceNumber = 0;
        }
        return new KeyExchangeResult(_sessionId, negotiated);
    }

    private sealed record ExchangeContext(byte[] ClientKexInit, byte[] ServerKexInit, HostKey HostKey, string HostKeyAlgorithm, bool Initial);

    private delegate (byte[] ServerPublic, byte[] SharedSecret) Agreement(ReadOnlySpan<byte> clientPublic);

    /// <summary>
    /// One exchange of public values and the signed reply. K is an mpint, except for the hybrid
    /// post-quantum methods, whose hashed secret OpenSSH encodes as a string.
    /// </summary>
    private async ValueTask<(HashAlgorithmName, byte[], byte[])> ExchangeAsync(
        ExchangeContext context, HashAlgorithmName hash, bool publicValuesAsMPInt, Agreement agree, CancellationToken cancellationToken,
        bool secretAsString = false)
    {
        byte[] clientPublic;
        using (var packet = await ExpectAsync(SshMessageNumber.KexEcdhInit, context.Initial, cancellationToken))
        {
            var message = new SshReader(packet.Payload[1..]);
            clientPublic = (publicValuesAsMPInt ? message.ReadUnsignedMPInt() : message.ReadString()).ToArray();
            message.EnsureAtEnd("key exchange init");
        }
        var (serverPublic, secret) = agree(clientPublic);
        var sharedSecret = secretAsString ? SshWriter.Serialize(w => w.WriteString(secret)) : SessionKeys.EncodeSharedSecret(secret);

        // H = HASH(V_C || V_S || I_C || I_S || K_S || client value || server value || K)  (RFC 4253 §8, RFC 5656 §4)
        var exchangeHash = CryptographicOperations.HashData(hash, SshWriter.Serialize(w =>
        {
            w.WriteString(client.LineBytes());
            w.WriteString(server.LineBytes());
            w.WriteString(context.ClientKexInit);
            w.WriteString(context.ServerKexInit);
            w.WriteString(context.HostKey.PublicKeyBlob);
            WritePublicValue(w, clientPublic);
            WritePublicValue(w, serverPublic);
        }).Concat(sharedSecret).ToArray());

        writer.Write(SshWriter.Serialize(w =>
        {
            w.WriteByte((byte)SshMessageNumber.KexEcdhReply);
            w.WriteString(context.HostKey.PublicKeyBlob);
            WritePublicValue(w, serverPublic);
            w.WriteString(context.HostKey.Sign(context.HostKeyAlgorithm, exchangeHash));
        }));
        return (hash, sharedSecret, exchangeHash);

        void WritePublicValue(SshWriter w, byte[] value)
        {
            if (publicValuesAsMPInt)
            {
                w.WriteUnsignedMPInt(value);
            }
            else
            {
                w.WriteString(value);
            }
        }
    }

    /// <summary>
    /// The next packet, which must be <paramref name="expected"/>. In the first exchange nothing may
    /// interleave (strict kex); in a re-exchange the generic transport messages may (RFC 4253 §7.1).
    /// </summary>
    private async ValueTask<SshPacket> ExpectAsync(SshMessageNumber expected, bool initial, CancellationToken cancellationToken)
    {
        while (true)
        {
            var packet = await reader.ReadAsync(cancellationToken);
            if (packet.MessageNumber == (byte)expected)
            {
                return packet;
            }
            var got = packet.MessageNumber;
            packet.Dispose();
            if (!initial && ((SshMessageNumber)got).IsIgnorable())
            {
                continue;
            }
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"key exchange: expected message {(byte)expected} ({expected}), got {got}");
        }
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
}
