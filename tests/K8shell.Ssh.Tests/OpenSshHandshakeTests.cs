using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Transport;

namespace K8shell.Ssh.Tests;

/// <summary>The start of a handshake against the real OpenSSH client: identification both ways, then its KEXINIT.</summary>
public sealed class OpenSshHandshakeTests : IDisposable
{
    // A peer that stops talking must fail the test, not hang the run: every wait shares this deadline.
    private readonly CancellationTokenSource _deadline = CreateDeadline();

    private CancellationToken Cancellation => _deadline.Token;

    public void Dispose() => _deadline.Dispose();

    private static CancellationTokenSource CreateDeadline()
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        return deadline;
    }

    [Fact]
    public async Task Openssh_reads_our_identification_and_we_negotiate_from_its_kexinit()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var ssh = Process.Start(new ProcessStartInfo("ssh")
        {
            ArgumentList =
            {
                "-v", "-p", port.ToString(), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10", "probe@127.0.0.1", "true",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        })!;
        var clientLog = ssh.StandardError.ReadToEndAsync(Cancellation);

        using (var socket = await listener.AcceptSocketAsync(Cancellation))
        await using (var stream = new NetworkStream(socket, ownsSocket: false))
        {
            await stream.WriteAsync(SshIdentification.ForServer("K8shell_test").ToWire(), Cancellation);
            // Bytes after the identification stay in this reader, so everything else is read through it too.
            var reader = PipeReader.Create(stream);
            var client = await IdentificationExchange.ReadAsync(reader, Cancellation);

            Assert.Equal("2.0", client.ProtocolVersion);
            Assert.StartsWith("OpenSSH_", client.SoftwareVersion);

            // OpenSSH sends its KEXINIT right after the identification, as a plain (unencrypted) packet.
            var negotiated = NegotiatedAlgorithms.Negotiate(
                KexInitMessage.Parse(await ReadPlainPacketAsync(reader)),
                KexInitMessage.ForServer(AlgorithmNames.ServerHostKeys),
                initialKex: true);
            Assert.Equal(AlgorithmNames.Curve25519Sha256, negotiated.Kex);
            Assert.Equal(AlgorithmNames.Ed25519, negotiated.HostKey);
            Assert.Equal(AlgorithmNames.ChaCha20Poly1305, negotiated.CipherClientToServer);
            Assert.Null(negotiated.MacClientToServer);
            Assert.True(negotiated.StrictKex, "Debian's OpenSSH 9.2 announces strict kex (Terrapin fix)");
            Assert.True(negotiated.ClientWantsExtInfo);
        }

        await ssh.WaitForExitAsync(Cancellation);
        Assert.Contains("Remote protocol version 2.0, remote software version K8shell_test", await clientLog);
    }

    /// <summary>RFC 4253 §6 without encryption: uint32 length, byte padding length, payload, padding.</summary>
    private async Task<byte[]> ReadPlainPacketAsync(PipeReader reader)
    {
        var length = BinaryPrimitives.ReadUInt32BigEndian(await ReadExactlyAsync(reader, 4));
        var packet = await ReadExactlyAsync(reader, (int)length);
        return packet[1..(packet.Length - packet[0])];
    }

    private async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count)
    {
        var result = await reader.ReadAtLeastAsync(count, Cancellation);
        var bytes = result.Buffer.Slice(0, count).ToArray();
        reader.AdvanceTo(result.Buffer.GetPosition(count));
        return bytes;
    }
}
