using System.Net;
using K8shell.ServiceDefaults.Networking;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Admission.ProxyProtocol;

/// <summary>The real client of a connection and the stream the SSH layer reads from.</summary>
/// <param name="Client">From the PROXY header, or the TCP peer (IPv4-mapped addresses as IPv4).</param>
/// <param name="Rest">The socket stream, replaying any bytes read past the header first.</param>
/// <param name="FromHeader">Whether a header named <paramref name="Client"/>.</param>
internal sealed record ProxyHeaderResult(IPEndPoint Client, Stream Rest, bool FromHeader);

/// <summary>
/// The first step after TCP accept: learns the real client address from a PROXY header (v1 text or v2 binary)
/// when the peer is a trusted balancer (<c>SshProxy:ProxyProtocol:TrustedNetworks</c>); from any other peer a
/// header is refused when the SSH layer first reads. Throws <see cref="ProxyProtocolException"/> on a bad
/// header; the caller logs its message and closes the connection.
/// </summary>
internal sealed class ProxyHeaderReader(IOptions<ProxyProtocolOptions> options, TimeProvider time)
{
    private readonly NetworkList _trusted = NetworkList.Parse(options.Value.TrustedNetworks);
    private readonly TimeSpan _headerTimeout = options.Value.HeaderTimeout;

    public async ValueTask<ProxyHeaderResult> ReadAsync(Stream socketStream, IPEndPoint peer, CancellationToken cancellationToken)
    {
        var peerEndPoint = new IPEndPoint(NetworkList.Normalize(peer.Address), peer.Port);
        if (!_trusted.Contains(peer.Address))
        {
            var refusal = $"from {peerEndPoint.Address}, which is not in {ProxyProtocolOptions.Section}:TrustedNetworks ({_trusted})";
            return new(peerEndPoint, ProxyCheckedStream.Refusing(socketStream, refusal), FromHeader: false);
        }

        var buffer = new byte[ProxyHeaderV2.MaxLength];
        var firstRead = socketStream.ReadAsync(buffer, cancellationToken).AsTask();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var waited = await Task.WhenAny(firstRead, Task.Delay(_headerTimeout, time, timeout.Token));
            await timeout.CancelAsync();
            if (waited != firstRead)
            {
                // A client that waits for our identification line: go on without a header, but refuse a late one.
                var refusal = $"from {peerEndPoint.Address} came after {_headerTimeout} of silence ({ProxyProtocolOptions.Section}:HeaderTimeout); a balancer must send it first";
                return new(peerEndPoint, ProxyCheckedStream.AfterPendingRead(socketStream, buffer, firstRead, refusal), FromHeader: false);
            }
        }

        var count = await firstRead;
        while (true)
        {
            var received = buffer.AsSpan(0, count);
            var match = ProxySignature.Match(received);
            if (count == 0 || match == ProxySignatureMatch.None)
            {
                return new(peerEndPoint, ProxyCheckedStream.Replaying(socketStream, received), FromHeader: false);
            }
            if (match != ProxySignatureMatch.Partial && TryParse(match, received, out var consumed, out var source))
            {
                var client = source is null ? peerEndPoint : new IPEndPoint(NetworkList.Normalize(source.Address), source.Port);
                return new(client, ProxyCheckedStream.Replaying(socketStream, received[consumed..]), FromHeader: source is not null);
            }
            var read = await socketStream.ReadAsync(buffer.AsMemory(count), cancellationToken);
            if (read == 0)
            {
                throw new ProxyProtocolException($"connection from {peerEndPoint.Address} closed after {count} bytes of a PROXY header.");
            }
            count += read;
        }
    }

    private static bool TryParse(ProxySignatureMatch match, ReadOnlySpan<byte> received, out int consumed, out IPEndPoint? source) =>
        match == ProxySignatureMatch.Version1
            ? ProxyHeaderV1.TryParse(received, out consumed, out source)
            : ProxyHeaderV2.TryParse(received, out consumed, out source);
}
