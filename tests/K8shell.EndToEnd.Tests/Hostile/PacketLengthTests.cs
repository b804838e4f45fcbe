using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace K8shell.EndToEnd.Tests.Hostile;

/// <summary>
/// A packet whose length field promises gigabytes (the compression-bomb shape: a few bytes that would make the
/// gateway allocate a lot): refused from the length field alone, with SSH_MSG_DISCONNECT saying why.
/// </summary>
public sealed class PacketLengthTests(StackFixture stack)
{
    [Theory]
    [InlineData("127.0.0.24", 0x7fffffffu)]
    [InlineData("127.0.0.25", 256u * 1024 * 1024)]
    public async Task A_length_field_of_gigabytes_is_a_protocol_error_before_the_packet_is_read(string attacker, uint length)
    {
        using var connection = await HostileConnection.OpenAsync(IPAddress.Parse(attacker), stack.SshPort);
        Assert.StartsWith("SSH-2.0-K8shell_", await connection.IdentificationAsync());
        var bomb = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(bomb, length);
        bomb[4] = 4; // padding length, as a real packet would have

        Assert.True(await connection.TrySendAsync(Encoding.ASCII.GetBytes("SSH-2.0-bomb_0.1\r\n").Concat(bomb).ToArray()), "the gateway closed before the bomb was sent");
        var disconnect = await connection.DisconnectAsync();

        Assert.Equal((2u, $"packet length {length} exceeds the 262144-byte limit"), disconnect); // SSH_DISCONNECT_PROTOCOL_ERROR
        await WellBehavedClient.LogInAsync(new Gateway(stack), $"a packet length of {length}");
        var logs = await ProxyLogs.WaitForAsync(stack, attacker, $"failed: packet length {length} exceeds");
        Assert.Single(logs, body => body.Contains("failed", StringComparison.Ordinal));
    }
}
