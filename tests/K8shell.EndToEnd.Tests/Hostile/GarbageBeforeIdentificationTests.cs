using System.Net;
using System.Text;

namespace K8shell.EndToEnd.Tests.Hostile;

/// <summary>
/// Garbage before the identification line. RFC 4253 §4.2 lets a server send lines before its version; K8shell.Ssh
/// tolerates some from clients too, but at most 1024 lines or 64 KiB (IdentificationExchange), each line at most 255
/// bytes: past that the connection is closed (no SSH_MSG_DISCONNECT: the peer never spoke SSH) and the reason logged.
/// </summary>
public sealed class GarbageBeforeIdentificationTests(StackFixture stack)
{
    private const int Flood = 32 * 1024 * 1024; // more than loopback's socket buffers hold, so the send fails unless the gateway reads it all

    [Theory]
    [InlineData("127.0.0.26", "short lines", "no identification string within 1024 lines or 65536 bytes")]
    [InlineData("127.0.0.27", "long lines", "no identification string within 1024 lines or 65536 bytes")]
    [InlineData("127.0.0.28", "one endless line", "identification line longer than 255 characters")]
    public async Task Garbage_before_the_identification_is_read_only_up_to_its_bound_then_the_connection_is_closed(string attacker, string garbage, string reason)
    {
        using var connection = await HostileConnection.OpenAsync(IPAddress.Parse(attacker), stack.SshPort);
        Assert.StartsWith("SSH-2.0-K8shell_", await connection.IdentificationAsync());
        var line = garbage switch
        {
            "short lines" => "garbage\r\n",
            "long lines" => new string('g', 200) + "\r\n",
            _ => new string('g', 1024),
        };
        var bytes = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(line, Flood / line.Length)));

        var sentAll = await connection.TrySendAsync(bytes);

        Assert.False(sentAll, $"the gateway read all {bytes.Length} bytes of {garbage}");
        Assert.Null(await connection.DisconnectAsync());
        await WellBehavedClient.LogInAsync(new Gateway(stack), $"garbage before the identification ({garbage})");
        var logs = await ProxyLogs.WaitForAsync(stack, attacker, $"(no user yet) failed: {reason}"); // no user name to log
        Assert.Single(logs, body => body.Contains("failed", StringComparison.Ordinal));
    }
}
