using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace K8shell.EndToEnd.Tests.Hostile;

/// <summary>
/// A raw TCP connection to the gateway from a loopback address of the attack's own (the listener takes all of
/// 127/8): bytes built by hand, and what the gateway answers read back as it is, before any encryption.
/// </summary>
internal sealed class HostileConnection(Socket socket) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private readonly MemoryStream _received = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public Socket Socket => socket;

    public static async Task<HostileConnection> OpenAsync(IPAddress source, int port) =>
        new(await RawConnections.ConnectFromAsync(source, port));

    /// <summary>Sends <paramref name="bytes"/>; false when the gateway had already closed the connection.</summary>
    public async Task<bool> TrySendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await socket.SendAsync(bytes, Cancellation);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The gateway's identification line ("SSH-2.0-K8shell_..."), or "" when it closed without one.</summary>
    public async Task<string> IdentificationAsync()
    {
        while (IndexOfNewline() < 0 && await ReceiveMoreAsync())
        {
        }
        var end = IndexOfNewline();
        return end < 0 ? "" : Encoding.ASCII.GetString(_received.GetBuffer(), 0, end + 1).TrimEnd();
    }

    /// <summary>
    /// Reads until the gateway closes, then finds its SSH_MSG_DISCONNECT among the plain packets after the identification
    /// (its KEXINIT first): the reason code and description, or null when it closed without one.
    /// </summary>
    public async Task<(uint Code, string Description)?> DisconnectAsync()
    {
        while (await ReceiveMoreAsync())
        {
        }
        var bytes = _received.ToArray().AsSpan();
        var at = IndexOfNewline() + 1;
        while (at > 0 && at + 6 <= bytes.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);
            if (at + 4 + length > bytes.Length)
            {
                break;
            }
            var payload = bytes.Slice(at + 5, length - 1 - bytes[at + 4]);
            if (payload[0] == 1)
            {
                var descriptionLength = (int)BinaryPrimitives.ReadUInt32BigEndian(payload[5..]);
                return (BinaryPrimitives.ReadUInt32BigEndian(payload[1..]), Encoding.UTF8.GetString(payload.Slice(9, descriptionLength)));
            }
            at += 4 + length;
        }
        return null;
    }

    /// <summary>Whether the gateway closed the connection (reading everything it still sends), waiting at most <paramref name="within"/>.</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan within)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(within);
        try
        {
            var buffer = new byte[4096];
            while (await socket.ReceiveAsync(buffer, timeout.Token) > 0)
            {
            }
            return true;
        }
        catch (OperationCanceledException) when (!Cancellation.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public void Dispose() => socket.Dispose();

    private int IndexOfNewline() => Array.IndexOf(_received.GetBuffer(), (byte)'\n', 0, (int)_received.Length);

    private async Task<bool> ReceiveMoreAsync()
    {
        var buffer = new byte[4096];
        try
        {
            var read = await socket.ReceiveAsync(buffer, Cancellation).AsTask().WaitAsync(Patience, Cancellation);
            _received.Write(buffer, 0, read);
            return read > 0;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
