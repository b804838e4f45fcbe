using System.Buffers.Binary;
using System.Net;
using System.Text;
using K8shell.SshProxy.Admission.ProxyProtocol;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Tests.Admission;

/// <summary>The PROXY header step over real loopback sockets: what a balancer sends, what a client sends, what an attacker sends.</summary>
public sealed class ProxyHeaderReaderTests
{
    private static readonly byte[] ClientIdentification = "SSH-2.0-OpenSSH_9.2\r\n"u8.ToArray();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static ProxyHeaderReader Reader(TimeSpan? headerTimeout = null, params string[] trusted) =>
        new(Options.Create(new ProxyProtocolOptions { TrustedNetworks = [.. trusted], HeaderTimeout = headerTimeout ?? TimeSpan.FromSeconds(2) }), TimeProvider.System);

    private static ProxyHeaderReader TrustingLoopback(TimeSpan? headerTimeout = null) => Reader(headerTimeout, "127.0.0.0/8", "::1/128");

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 51234 22\r\n", "203.0.113.7", 51234)]
    [InlineData("PROXY TCP6 2001:db8::7 2001:db8::1 40000 22\r\n", "2001:db8::7", 40000)]
    [InlineData("PROXY TCP6 ::ffff:203.0.113.8 ::ffff:192.0.2.1 40001 22\r\n", "203.0.113.8", 40001)]
    public async Task A_v1_header_from_a_trusted_peer_names_the_client_and_the_ssh_bytes_follow(string header, string address, int port)
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        await connection.Client.WriteAsync(Encoding.ASCII.GetBytes(header).Concat(ClientIdentification).ToArray(), Cancellation);

        var result = await TrustingLoopback().ReadAsync(connection.Accepted, connection.Peer, Cancellation);

        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), result.Client);
        Assert.True(result.FromHeader);
        Assert.Equal(ClientIdentification, await ReadExactlyAsync(result.Rest, ClientIdentification.Length));
    }

    [Fact]
    public async Task A_v1_header_arriving_byte_by_byte_is_read_whole()
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        var reading = TrustingLoopback().ReadAsync(connection.Accepted, connection.Peer, Cancellation).AsTask();
        foreach (var b in "PROXY TCP4 198.51.100.20 192.0.2.1 6000 22\r\n"u8.ToArray().Concat(ClientIdentification))
        {
            await connection.Client.WriteAsync(new[] { b }, Cancellation);
            await connection.Client.FlushAsync(Cancellation);
        }

        var result = await reading;

        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.20"), 6000), result.Client);
        Assert.Equal(ClientIdentification, await ReadExactlyAsync(result.Rest, ClientIdentification.Length));
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")]
    public async Task A_v1_UNKNOWN_header_leaves_the_peer_as_the_client(string header)
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        await connection.Client.WriteAsync(Encoding.ASCII.GetBytes(header).Concat(ClientIdentification).ToArray(), Cancellation);

        var result = await TrustingLoopback().ReadAsync(connection.Accepted, connection.Peer, Cancellation);

        Assert.Equal(connection.Peer, result.Client);
        Assert.False(result.FromHeader);
        Assert.Equal(ClientIdentification, await ReadExactlyAsync(result.Rest, ClientIdentification.Length));
    }

    [Fact]
    public async Task A_v2_header_for_IPv4_with_TLVs_names_the_client_and_skips_the_TLVs()
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        byte[] addresses = [203, 0, 113, 50, 192, 0, 2, 1, 0xC3, 0x50, 0, 22];
        byte[] tlvs = [0x01, 0, 2, (byte)'h', (byte)'2', 0x04, 0, 3, 0, 0, 0]; // ALPN "h2", NOOP padding
        await connection.Client.WriteAsync(ProxyHeaders.V2(command: 1, familyAndTransport: 0x11, [.. addresses, .. tlvs]).Concat(ClientIdentification).ToArray(), Cancellation);

        var result = await TrustingLoopback().ReadAsync(connection.Accepted, connection.Peer, Cancellation);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.50"), 50000), result.Client);
        Assert.True(result.FromHeader);
        Assert.Equal(ClientIdentification, await ReadExactlyAsync(result.Rest, ClientIdentification.Length));
    }

    [Fact]
    public async Task A_v2_header_for_IPv6_names_the_client()
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        var source = IPAddress.Parse("2001:db8:1::42").GetAddressBytes();
        var destination = IPAddress.Parse("2001:db8:2::1").GetAddressBytes();
        await connection.Client.WriteAsync(ProxyHeaders.V2(1, 0x21, [.. source, .. destination, 0x1F, 0x90, 0, 22]).Concat(ClientIdentification).ToArray(), Cancellation);

        var result = await TrustingLoopback().ReadAsync(connection.Accepted, connection.Peer, Cancellation);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8:1::42"), 8080), result.Client);
        Assert.Equal(ClientIdentification, await ReadExactlyAsync(result.Rest, ClientIdentification.Length));
    }

    [Theory]
    [InlineData(0, 0x00)] // LOCAL: the balancer's own health check
    [InlineData(1, 0x00)] // PROXY with UNSPEC family
    [InlineData(1, 0x31)] // PROXY over a Unix socket
    public async Task A_v2_header_without_an_IP_source_leaves_the_peer_as_the_client(byte command, byte familyAndTransport)
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        await connection.Client.WriteAsync(ProxyHeaders.V2(command, familyAndTransport, []).Concat(ClientIdentification).ToArray(), Cancellation);

        var result = await TrustingLoopback().ReadAsync(connection.Accepted, connection.Peer, Cancellation);

        Assert.Equal(connection.Peer, result.Client);
        Assert.False(result.FromHeader);
        Assert.Equal(ClientIdentification, await ReadExactlyAsync(result.Rest, ClientIdentification.Length));
    }

    [Fact]
    public async Task Without_a_header_a_trusted_peer_is_the_client_and_nothing_it_sent_is_lost()
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation, dualStack: true);
        await connection.Client.WriteAsync(ClientIdentification, Cancellation);

        // The dual-stack listener sees ::ffff:127.0.0.1, which the IPv4 CIDR must match.
        var result = await Reader(null, "127.0.0.0/8").ReadAsync(connection.Accepted, connection.Peer, Cancellation);

        Assert.True(connection.Peer.Address.IsIPv4MappedToIPv6);
        Assert.Equal(IPAddress.Loopback, result.Client.Address);
        Assert.Equal(ClientIdentification, await ReadExactlyAsync(result.Rest, ClientIdentification.Length));
    }

    [Fact]
    public async Task A_silent_trusted_peer_gets_our_identification_first_and_its_reply_is_read()
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);

        // The client says nothing until it has our line; the reader must give up waiting for a header.
        var result = await TrustingLoopback(TimeSpan.FromMilliseconds(50)).ReadAsync(connection.Accepted, connection.Peer, Cancellation);
        await result.Rest.WriteAsync("SSH-2.0-K8shell_0.1\r\n"u8.ToArray(), Cancellation);
        Assert.Equal("SSH-2.0-K8shell_0.1\r\n"u8.ToArray(), await ReadExactlyAsync(connection.Client, 21));
        await connection.Client.WriteAsync(ClientIdentification, Cancellation);

        Assert.Equal(connection.Peer, result.Client);
        Assert.Equal(ClientIdentification, await ReadExactlyAsync(result.Rest, ClientIdentification.Length));
    }

    [Fact]
    public async Task A_header_after_the_trusted_peer_was_silent_too_long_is_refused()
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        var result = await TrustingLoopback(TimeSpan.FromMilliseconds(50)).ReadAsync(connection.Accepted, connection.Peer, Cancellation);

        await connection.Client.WriteAsync("PROXY TCP4 203.0.113.7 192.0.2.1 51234 22\r\n"u8.ToArray(), Cancellation);

        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => ReadExactlyAsync(result.Rest, 1));
        Assert.Contains("SshProxy:ProxyProtocol:HeaderTimeout", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0/8,fd00::/8")]
    public async Task A_header_from_an_untrusted_peer_is_refused_when_the_ssh_layer_reads(string trustedList)
    {
        var trusted = trustedList.Split(',', StringSplitOptions.RemoveEmptyEntries);
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        // The reader returns before the client sent anything: the server's identification must be able to go first.
        var result = await Reader(null, trusted).ReadAsync(connection.Accepted, connection.Peer, Cancellation);
        Assert.Equal(connection.Peer, result.Client);

        await connection.Client.WriteAsync("PROXY TCP4 203.0.113.7 192.0.2.1 51234 22\r\nSSH-2.0-x\r\n"u8.ToArray(), Cancellation);

        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => ReadExactlyAsync(result.Rest, 1));
        Assert.Contains("PROXY v1 header from 127.0.0.1", error.Message);
        Assert.Contains("SshProxy:ProxyProtocol:TrustedNetworks", error.Message);
    }

    [Fact]
    public async Task A_v2_header_from_an_untrusted_peer_is_refused_even_when_it_arrives_in_pieces()
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        var result = await Reader(null, "10.0.0.0/8").ReadAsync(connection.Accepted, connection.Peer, Cancellation);
        var header = ProxyHeaders.V2(1, 0x11, [203, 0, 113, 1, 192, 0, 2, 1, 0, 1, 0, 22]);

        var reading = ReadExactlyAsync(result.Rest, 1);
        await connection.Client.WriteAsync(header.AsMemory(0, 5), Cancellation);
        await connection.Client.FlushAsync(Cancellation);
        await connection.Client.WriteAsync(header.AsMemory(5), Cancellation);

        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => reading);
        Assert.StartsWith("PROXY v2 header from 127.0.0.1", error.Message);
    }

    [Fact]
    public async Task An_untrusted_peer_speaking_ssh_passes_through_untouched()
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        var result = await Reader(null, "10.0.0.0/8").ReadAsync(connection.Accepted, connection.Peer, Cancellation);

        await connection.Client.WriteAsync(ClientIdentification, Cancellation);

        Assert.Equal(ClientIdentification, await ReadExactlyAsync(result.Rest, ClientIdentification.Length));
    }

    [Theory]
    [InlineData("v1", "closed after 18 bytes")]
    [InlineData("v2", "closed after 20 bytes")]
    public async Task A_header_cut_short_by_the_peer_closing_is_refused(string version, string expected)
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        var partial = version == "v1"
            ? "PROXY TCP4 1.2.3.4"u8.ToArray()
            : ProxyHeaders.V2(1, 0x11, [203, 0, 113, 1, 192, 0, 2, 1, 0, 1, 0, 22])[..20];
        await connection.Client.WriteAsync(partial, Cancellation);
        connection.ClientSocket.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => TrustingLoopback().ReadAsync(connection.Accepted, connection.Peer, Cancellation).AsTask());
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task An_oversized_v1_header_is_refused_without_waiting_for_more()
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        await connection.Client.WriteAsync(Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 200)), Cancellation);

        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => TrustingLoopback().ReadAsync(connection.Accepted, connection.Peer, Cancellation).AsTask());
        Assert.Equal("PROXY v1 header has no CRLF within 107 bytes.", error.Message);
    }

    [Fact]
    public async Task An_oversized_v2_header_is_refused_from_its_length_field()
    {
        await using var connection = await LoopbackConnection.OpenAsync(Cancellation);
        var header = ProxyHeaders.V2(1, 0x11, new byte[12]);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), 5000);
        await connection.Client.WriteAsync(header, Cancellation);

        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => TrustingLoopback().ReadAsync(connection.Accepted, connection.Peer, Cancellation).AsTask());
        Assert.Equal("PROXY v2 header is 5016 bytes, more than the 4096 accepted.", error.Message);
    }

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 51234\r\n", "has 5 fields")]
    [InlineData("PROXY TCP5 203.0.113.7 192.0.2.1 51234 22\r\n", "protocol 'TCP5'")]
    [InlineData("PROXY TCP4 2001:db8::1 192.0.2.1 51234 22\r\n", "source address '2001:db8::1', not an IPv4 address")]
    [InlineData("PROXY TCP4 999.0.113.7 192.0.2.1 51234 22\r\n", "source address '999.0.113.7'")]
    [InlineData("PROXY TCP4 127.1 192.0.2.1 51234 22\r\n", "source address '127.1'")]
    [InlineData("PROXY TCP6 203.0.113.7 2001:db8::1 51234 22\r\n", "not an IPv6 address")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 65536 22\r\n", "source port '65536'")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 -1 22\r\n", "source port '-1'")]
    [InlineData("PROXY TCP4  203.0.113.7 192.0.2.1 1 22\r\n", "has 7 fields")]
    [InlineData("PROXY TCP4 203.0.113.7\t192.0.2.1 1 22\r\n", "not printable ASCII")]
    public void A_malformed_v1_header_is_refused_with_what_is_wrong(string header, string expected)
    {
        var error = Assert.Throws<ProxyProtocolException>(() => ProxyHeaderV1.TryParse(Encoding.ASCII.GetBytes(header), out _, out _));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(0x11, 0x11, "version 1, expected 2")]
    [InlineData(0x22, 0x11, "command 2")]
    [InlineData(0x21, 0x12, "transport 2, expected STREAM")]
    [InlineData(0x21, 0x41, "address family 4")]
    public void A_malformed_v2_header_is_refused_with_what_is_wrong(byte versionAndCommand, byte familyAndTransport, string expected)
    {
        var header = ProxyHeaders.V2(1, familyAndTransport, new byte[12]);
        header[12] = versionAndCommand;

        var error = Assert.Throws<ProxyProtocolException>(() => ProxyHeaderV2.TryParse(header, out _, out _));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_v2_header_too_short_for_its_addresses_is_refused()
    {
        var error = Assert.Throws<ProxyProtocolException>(() => ProxyHeaderV2.TryParse(ProxyHeaders.V2(1, 0x21, new byte[12]), out _, out _));
        Assert.Equal("PROXY v2 header carries 12 address bytes, IPv6 needs 36.", error.Message);
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, Cancellation);
        return buffer;
    }
}
