using System.IO.Pipelines;
using System.Net.Sockets;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.HostKeys;
using K8shell.Ssh.Transport;
using K8shell.Ssh.Transport.KeyExchange;
using K8shell.Ssh.Transport.Packets;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Tests;

/// <summary>The transport's handshake against the real OpenSSH client.</summary>
public sealed class OpenSshHandshakeTests : IDisposable
{
    // A peer that stops talking must fail the test, not hang the run: every wait shares this deadline.
    private readonly CancellationTokenSource _deadline = TestDeadline.Create(TimeSpan.FromSeconds(30));

    private CancellationToken Cancellation => _deadline.Token;

    public void Dispose() => _deadline.Dispose();

    [Fact]
    public async Task Openssh_reads_our_identification_and_we_negotiate_from_its_kexinit()
    {
        await using var ssh = OpenSshClient.Start(hostKeyLine: null);
        using (var socket = await ssh.AcceptAsync(Cancellation))
        await using (var stream = new NetworkStream(socket))
        {
            await stream.WriteAsync(SshIdentification.ForServer("K8shell_test").ToWire(), Cancellation);
            // Bytes after the identification stay in this reader, so everything else is read through it too.
            var reader = PipeReader.Create(stream);
            var client = await IdentificationExchange.ReadAsync(reader, Cancellation);
            Assert.Equal("2.0", client.ProtocolVersion);
            Assert.StartsWith("OpenSSH_", client.SoftwareVersion);

            // OpenSSH sends its KEXINIT right after the identification, as a plain packet.
            using var kexInit = await new PacketReader(reader).ReadAsync(Cancellation);
            var negotiated = NegotiatedAlgorithms.Negotiate(
                KexInitMessage.Parse(kexInit.Payload), KexInitMessage.ForServer(AlgorithmNames.ServerHostKeys), initialKex: true);
            // Debian's OpenSSH 9.2 leads with the IETF name of its post-quantum hybrid, which we offer too.
            Assert.Equal(AlgorithmNames.Sntrup761X25519Sha512Ietf, negotiated.Kex);
            Assert.Equal(AlgorithmNames.Ed25519, negotiated.HostKey);
            Assert.Equal(AlgorithmNames.ChaCha20Poly1305, negotiated.CipherClientToServer);
            Assert.Null(negotiated.MacClientToServer);
            Assert.True(negotiated.StrictKex, "Debian's OpenSSH 9.2 announces strict kex (Terrapin fix)");
            Assert.True(negotiated.ClientWantsExtInfo);
        }
        Assert.Contains("Remote protocol version 2.0, remote software version K8shell_test", await ssh.LogAsync(Cancellation));
    }

    public static TheoryData<string, string, string> Suites => new()
    {
        { AlgorithmNames.Sntrup761X25519Sha512Ietf, AlgorithmNames.ChaCha20Poly1305, AlgorithmNames.HmacSha256Etm },
        { AlgorithmNames.Sntrup761X25519Sha512, AlgorithmNames.ChaCha20Poly1305, AlgorithmNames.HmacSha256Etm },
        { AlgorithmNames.Sntrup761X25519Sha512, AlgorithmNames.Aes256Gcm, AlgorithmNames.HmacSha256Etm },
        { AlgorithmNames.Curve25519Sha256, AlgorithmNames.ChaCha20Poly1305, AlgorithmNames.HmacSha256Etm },
        { AlgorithmNames.Curve25519Sha256LibSsh, AlgorithmNames.Aes256Gcm, AlgorithmNames.HmacSha256Etm },
        { AlgorithmNames.Curve25519Sha256, AlgorithmNames.Aes128Gcm, AlgorithmNames.HmacSha256Etm },
        { AlgorithmNames.Curve25519Sha256, AlgorithmNames.Aes256Ctr, AlgorithmNames.HmacSha256Etm },
        { AlgorithmNames.Curve25519Sha256, AlgorithmNames.Aes192Ctr, AlgorithmNames.HmacSha512Etm },
        { AlgorithmNames.Curve25519Sha256LibSsh, AlgorithmNames.Aes128Ctr, AlgorithmNames.HmacSha512Etm },
        { AlgorithmNames.DhGroup14Sha256, AlgorithmNames.Aes256Gcm, AlgorithmNames.HmacSha256Etm },
        { AlgorithmNames.DhGroup16Sha512, AlgorithmNames.ChaCha20Poly1305, AlgorithmNames.HmacSha256Etm },
        { AlgorithmNames.DhGroup18Sha512, AlgorithmNames.Aes256Ctr, AlgorithmNames.HmacSha512Etm },
    };

    [Theory]
    [MemberData(nameof(Suites))]
    public async Task Openssh_completes_key_exchange_and_its_first_encrypted_packet_decrypts(string kex, string cipher, string mac)
    {
        using var hostKey = Ed25519HostKey.Generate();
        var log = await HandshakeAsync([hostKey], hostKey, kex, cipher, $"KexAlgorithms={kex}", $"Ciphers={cipher}", $"MACs={mac}");

        Assert.Contains($"kex: algorithm: {kex}", log);
        Assert.Contains($"kex: server->client cipher: {cipher}", log);
        Assert.Contains("server-sig-algs=<ssh-ed25519,", log);
    }

    private static readonly RsaHostKey SharedRsaKey = RsaHostKey.Generate();

    [Theory]
    [InlineData(AlgorithmNames.RsaSha512)]
    [InlineData(AlgorithmNames.RsaSha256)]
    public async Task Openssh_verifies_our_rsa_sha2_signatures_when_it_prefers_rsa(string algorithm)
    {
        using var ed25519 = Ed25519HostKey.Generate();
        var log = await HandshakeAsync([ed25519, SharedRsaKey], SharedRsaKey, AlgorithmNames.Sntrup761X25519Sha512Ietf, AlgorithmNames.ChaCha20Poly1305,
            $"HostKeyAlgorithms={algorithm}");

        Assert.Contains($"kex: host key algorithm: {algorithm}", log);
    }

    /// <summary>
    /// Runs the server side of a handshake with OpenSSH, which pins <paramref name="expected"/> in its
    /// known_hosts, then decrypts its first encrypted packet; returns what ssh -v printed.
    /// </summary>
    private async Task<string> HandshakeAsync(HostKey[] hostKeys, HostKey expected, string kex, string cipher, params string[] options)
    {
        await using var ssh = OpenSshClient.Start(OpenSshKeyFile.PublicKeyLine(expected), options);
        using (var socket = await ssh.AcceptAsync(Cancellation))
        await using (var stream = new NetworkStream(socket))
        {
            var server = SshIdentification.ForServer("K8shell_test");
            await stream.WriteAsync(server.ToWire(), Cancellation);
            var input = PipeReader.Create(stream);
            var client = await IdentificationExchange.ReadAsync(input, Cancellation);
            var reader = new PacketReader(input);
            var writer = new PacketWriter(PipeWriter.Create(stream));

            var result = await new ServerKeyExchange(reader, writer, hostKeys, client, server).RunInitialAsync(Cancellation);
            Assert.Equal(kex, result.Algorithms.Kex);
            Assert.Equal(cipher, result.Algorithms.CipherServerToClient);
            Assert.True(result.Algorithms.StrictKex);
            // Strict kex restarted the count at NEWKEYS: the service request is packet 0.
            Assert.Equal(0u, reader.SequenceNumber);

            using var request = await reader.ReadAsync(Cancellation);
            var message = new SshReader(request.Payload);
            Assert.Equal((byte)SshMessageNumber.ServiceRequest, message.ReadByte());
            Assert.Equal("ssh-userauth", message.ReadAscii());
        }

        var log = await ssh.LogAsync(Cancellation);
        Assert.Contains("Host '[127.0.0.1]", log); // matched the pinned key in known_hosts
        return log;
    }
}
