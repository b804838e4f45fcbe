using K8shell.SshProxy.Recording;

namespace K8shell.SshProxy.Tests.Recording;

/// <summary>A port forward recorded through the real Sessions: tshark reads both directions' bytes back from the capture.</summary>
public sealed class ForwardRecordingTests(SessionsFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_direct_tcpip_recording_is_a_capture_tshark_reads_both_directions_from()
    {
        var random = new Random(21);
        var (toServer, fromServer) = (new byte[30_000], new byte[70_000]);
        random.NextBytes(toServer);
        random.NextBytes(fromServer);
        var session = SessionsFixture.NewSessionId();
        var recorders = TestRecorders.For(fixture, session, new RecordingOptions { DirectTcpip = true });

        var recording = await recorders.StartAsync(new RecordingRequest(RecordingKind.DirectTcpip, $"pf-{session}1", null)
        {
            SourceHost = "127.0.0.1", SourcePort = 45000, DestinationHost = "10.1.1.1", DestinationPort = 6379,
        }, Cancel);
        var (up, down) = (TestRecorders.Chunks(random, toServer, 4000), TestRecorders.Chunks(random, fromServer, 4000));
        for (var i = 0; i < Math.Max(up.Count, down.Count); i++)
        {
            if (i < up.Count)
            {
                recording!.Input(up[i]);
            }
            if (i < down.Count)
            {
                recording!.Output(down[i]);
            }
        }
        await recording!.DisposeAsync();
        // Ending the connection's recordings closes the capture its forwards share.
        await recorders.DisposeAsync();

        var pcap = SessionsFixture.RecordingPath(fixture.DataDirectory, "tcpip", $"{session}_10.1.1.1_6379.pcap");
        var (toDestination, fromDestination) = await Readers.TsharkPayloadsAsync(pcap, 6379, Cancel);
        Assert.Equal(toServer, toDestination);
        Assert.Equal(fromServer, fromDestination);
    }
}
