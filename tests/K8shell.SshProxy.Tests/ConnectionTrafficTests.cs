using K8shell.SshProxy.Connections;

namespace K8shell.SshProxy.Tests;

public sealed class ConnectionTrafficTests
{
    [Fact]
    public async Task Bytes_from_many_channels_add_up_and_operations_come_sorted_and_unique()
    {
        var traffic = new ConnectionTraffic();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                traffic.AddIn(3);
                traffic.AddOut(5);
            }
        })));
        foreach (var code in new[] { ConnectionTraffic.Shell, ConnectionTraffic.Pty, ConnectionTraffic.Exec, ConnectionTraffic.Shell })
        {
            traffic.AddOperation(code);
        }

        Assert.Equal(24_000ul, traffic.BytesIn);
        Assert.Equal(40_000ul, traffic.BytesOut);
        Assert.Equal(["ex", "pt", "sh"], traffic.Operations);
    }
}
