using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Transport.KeyExchange;
using K8shell.Ssh.Transport.Packets;

namespace K8shell.Ssh.Tests;

public sealed class PacketLayerTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static TheoryData<string, string?> Protections => new()
    {
        { "none", null },
        { AlgorithmNames.ChaCha20Poly1305, null },
        { AlgorithmNames.Aes256Gcm, null },
        { AlgorithmNames.Aes128Gcm, null },
        { AlgorithmNames.Aes256Ctr, AlgorithmNames.HmacSha256Etm },
        { AlgorithmNames.Aes128Ctr, AlgorithmNames.HmacSha512Etm },
    };

    /// <summary>A writer and a reader sharing one pipe and the same keys, as the two ends of a connection would.</summary>
    private static (PacketWriter Writer, PacketReader Reader, Pipe Pipe) Connected(string cipher, string? mac)
    {
        var pipe = new Pipe();
        var writer = new PacketWriter(pipe.Writer);
        var reader = new PacketReader(pipe.Reader);
        if (cipher != "none")
        {
            var keys = new SessionKeys(HashAlgorithmName.SHA256, RandomNumberGenerator.GetBytes(33), RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
            writer.Protection = PacketProtections.Create(cipher, mac, keys, clientToServer: true);
            reader.Protection = PacketProtections.Create(cipher, mac, keys, clientToServer: true);
        }
        return (writer, reader, pipe);
    }

    [Theory]
    [MemberData(nameof(Protections))]
    public async Task Packets_of_every_size_survive_the_trip_in_order(string cipher, string? mac)
    {
        var (writer, reader, _) = Connected(cipher, mac);
        var payloads = new[] { 1, 2, 15, 16, 17, 255, 32768, 200_000 }.Select(RandomNumberGenerator.GetBytes).ToList();

        foreach (var payload in payloads)
        {
            writer.Write(payload);
            // The pipe pushes back above 64 KiB, as a socket would: the flush completes as the reader drains it.
            var flush = writer.FlushAsync(Cancellation);
            using var packet = await reader.ReadAsync(Cancellation);
            await flush;
            Assert.Equal(payload, packet.Payload.ToArray());
        }
        Assert.Equal((uint)payloads.Count, reader.SequenceNumber);
    }

    [Theory]
    [MemberData(nameof(Protections))]
    public async Task A_flipped_bit_is_a_mac_error_not_garbage(string cipher, string? mac)
    {
        if (cipher == "none")
        {
            return; // nothing to authenticate before the first NEWKEYS
        }
        var pipe = new Pipe();
        var (writer, reader, inner) = Connected(cipher, mac);
        writer.Write("secret"u8);
        await writer.FlushAsync(Cancellation);
        var wire = (await inner.Reader.ReadAsync(Cancellation)).Buffer.ToArray();
        wire[^(writer.Protection.TagLength + 2)] ^= 0x01; // inside the encrypted body
        await pipe.Writer.WriteAsync(wire, Cancellation);

        var tampered = new PacketReader(pipe.Reader) { Protection = reader.Protection };
        var error = await Assert.ThrowsAsync<SshProtocolException>(async () => (await tampered.ReadAsync(Cancellation)).Dispose());
        Assert.Equal(SshDisconnectReason.MacError, error.Reason);
    }

    [Fact]
    public async Task An_oversized_length_is_refused_before_anything_is_buffered()
    {
        var pipe = new Pipe();
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x7fff_fff8);
        await pipe.Writer.WriteAsync(header, Cancellation);

        var error = await Assert.ThrowsAsync<SshProtocolException>(async () => (await new PacketReader(pipe.Reader).ReadAsync(Cancellation)).Dispose());
        Assert.Equal(SshDisconnectReason.ProtocolError, error.Reason);
        Assert.Contains("exceeds the 262144-byte limit", error.Message);
    }

    [Theory]
    [InlineData(13, "not a whole number of 8-byte blocks")]
    [InlineData(4, "not a whole number")]
    public async Task Misaligned_lengths_are_protocol_errors(uint length, string message)
    {
        var pipe = new Pipe();
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);
        await pipe.Writer.WriteAsync(header, Cancellation);

        var error = await Assert.ThrowsAsync<SshProtocolException>(async () => (await new PacketReader(pipe.Reader).ReadAsync(Cancellation)).Dispose());
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task Padding_shorter_than_four_bytes_is_refused()
    {
        var pipe = new Pipe();
        // length 12, padding 3, payload 8: aligned to 8 with the length field, but padding must be ≥ 4.
        await pipe.Writer.WriteAsync(Convert.FromHexString("0000000c03" + "1400000000000000" + "000000"), Cancellation);

        var error = await Assert.ThrowsAsync<SshProtocolException>(async () => (await new PacketReader(pipe.Reader).ReadAsync(Cancellation)).Dispose());
        Assert.Contains("invalid padding length 3", error.Message);
    }

    [Fact]
    public async Task A_connection_closed_between_packets_says_the_peer_closed_it()
    {
        var pipe = new Pipe();
        await pipe.Writer.CompleteAsync();

        var error = await Assert.ThrowsAsync<SshProtocolException>(async () => (await new PacketReader(pipe.Reader).ReadAsync(Cancellation)).Dispose());
        Assert.Equal(SshDisconnectReason.ConnectionLost, error.Reason);
        Assert.Equal("connection closed by the peer", error.Message);
    }

    [Fact]
    public async Task A_connection_closed_mid_packet_is_connection_lost()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Convert.FromHexString("0000001c0a14"), Cancellation);
        await pipe.Writer.CompleteAsync();

        var error = await Assert.ThrowsAsync<SshProtocolException>(async () => (await new PacketReader(pipe.Reader).ReadAsync(Cancellation)).Dispose());
        Assert.Equal(SshDisconnectReason.ConnectionLost, error.Reason);
    }
}
