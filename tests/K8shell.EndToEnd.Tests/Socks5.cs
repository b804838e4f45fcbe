using System.Text;

namespace K8shell.EndToEnd.Tests;

/// <summary>The client half of a SOCKS5 CONNECT (RFC 1928) without authentication, as a browser or VS Code speaks it to <c>ssh -D</c>.</summary>
public static class Socks5
{
    public static async Task ConnectAsync(Stream stream, string host, int port)
    {
        var cancellation = TestContext.Current.CancellationToken;
        await stream.WriteAsync(new byte[] { 5, 1, 0 }, cancellation); // version 5, one method: no authentication
        var choice = new byte[2];
        await stream.ReadExactlyAsync(choice, cancellation);
        if (choice[1] != 0)
        {
            throw new InvalidOperationException($"the SOCKS server refused every method ({choice[1]})");
        }
        var name = Encoding.ASCII.GetBytes(host);
        await stream.WriteAsync((byte[])[5, 1, 0, 3, (byte)name.Length, .. name, (byte)(port >> 8), (byte)port], cancellation);
        var reply = new byte[10]; // the IPv4 form of the bound address; ssh answers with it
        await stream.ReadExactlyAsync(reply, cancellation);
        if (reply[1] != 0)
        {
            throw new InvalidOperationException($"the SOCKS CONNECT to {host}:{port} failed with {reply[1]}");
        }
    }
}
