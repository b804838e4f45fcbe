using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Sessions.V1;
using static K8shell.Sessions.Tests.Captures;
using static K8shell.Sessions.Tests.StreamFrames;

namespace K8shell.Sessions.Tests;

/// <summary>Port forwards and SFTP streamed to the real Sessions by gRPC, read back by Debian's tshark.</summary>
public sealed class ForwardRecordingStreamTests(RecordingStreamsFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_forwards_to_one_destination_share_one_capture_with_each_direction_exact()
    {
        var session = NewSessionId();
        var token = await fixture.UserTokenAsync("alice");
        var client = fixture.Recordings();
        var random = new Random(Seeds.Seed);
        var sent = new List<(string Stream, uint Port, byte[] Input, byte[] Output)>();
        var calls = new List<Task<RecordingAck>>();
        foreach (var (number, port) in new[] { (1, 50001u), (2, 50002u) })
        {
            var stream = $"pf-{session}{number}";
            var (input, output) = (RandomBytes(random, 40_000), RandomBytes(random, 90_000));
            sent.Add((stream, port, input, output));
            calls.Add(SendAsync(client.StreamTcpipRecording(cancellationToken: Cancel),
                [TcpipHeader(Origin(session, stream, token), "127.0.0.1", port, "db.internal", 5432), .. Interleaved(random, input, output)]));
        }

        var acks = await Task.WhenAll(calls);
        var ended = await client.EndRecordingSessionAsync(new EndRecordingSessionRequest { SessionId = session, EndTime = Timestamp.FromDateTimeOffset(Start.AddMinutes(1)) },
            cancellationToken: Cancel);

        Assert.Single(acks.Select(ack => ack.RecordingId).Distinct());
        Assert.Equal(0u, ended.ClosedRecordings);
        var packets = await ReadAsync(Path.Combine(fixture.DataDirectory, "recordings", "alice", "tcpip", $"{session}_db.internal_5432.pcap"), [5432], Cancel);
        AssertNoWarnings(packets);
        Assert.Equal(2, packets.Select(p => p.Stream).Distinct().Count());
        foreach (var (stream, port, input, output) in sent)
        {
            Assert.Equal(input, Payload(packets.Where(p => p.From == $"127.0.0.1:{port}")));
            Assert.Equal(output, Payload(packets.Where(p => p.To == $"127.0.0.1:{port}")));
            Assert.Equal(["0x0011", "0x0011", "0x0010"], packets.Where(p => p.From.EndsWith($":{port}", StringComparison.Ordinal) || p.To.EndsWith($":{port}", StringComparison.Ordinal))
                .TakeLast(3).Select(p => p.Flags));
        }
    }

    [Fact]
    public async Task Sftp_channels_of_a_connection_are_flows_of_its_sftp_capture()
    {
        var session = NewSessionId();
        var token = await fixture.UserTokenAsync("bob");
        var client = fixture.Recordings();
        var random = new Random(Seeds.Seed);
        var (input, output) = (RandomBytes(random, 5_000), RandomBytes(random, 20_000));

        await SendAsync(client.StreamSftpRecording(cancellationToken: Cancel),
            [new SftpRecordingFrame { Header = new SftpRecordingHeader { Origin = Origin(session, $"sf-{session}1", token) } },
             .. Interleaved(random, input, output).Select(frame => new SftpRecordingFrame { Sequence = frame.Sequence, Chunk = frame.Chunk })]);

        var packets = await ReadAsync(Path.Combine(fixture.DataDirectory, "recordings", "bob", "sftp", $"{session}.pcap"), [22], Cancel);
        AssertNoWarnings(packets);
        Assert.Equal(input, Payload(packets.Where(p => p.To.EndsWith(":22", StringComparison.Ordinal))));
        Assert.Equal(output, Payload(packets.Where(p => p.From.EndsWith(":22", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Ending_a_connections_recordings_finishes_its_cut_streams_and_counts_them_once()
    {
        var session = NewSessionId();
        var token = await fixture.UserTokenAsync("alice");
        var client = fixture.Recordings();
        var shell = $"sh-{session}1";
        var forward = $"pf-{session}2";
        await SendAndCutAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(Origin(session, shell, token)), ShellOutput(1, 10, [0xE2, 0x9C])],
            async () => await StateAsync(shell) == 1);
        await SendAndCutAsync(client.StreamTcpipRecording(cancellationToken: Cancel),
            [TcpipHeader(Origin(session, forward, token), "127.0.0.1", 40000, "10.0.0.5", 8080), TcpipChunk(1, 10, "GET / HTTP/1.0\r\n\r\n"u8.ToArray(), Direction.Input)],
            async () => await StateAsync(forward) == 1);

        var first = await client.EndRecordingSessionAsync(new EndRecordingSessionRequest { SessionId = session }, cancellationToken: Cancel);
        var second = await client.EndRecordingSessionAsync(new EndRecordingSessionRequest { SessionId = session }, cancellationToken: Cancel);

        Assert.Equal((2u, 0u), (first.ClosedRecordings, second.ClosedRecordings));
        foreach (var stream in new[] { shell, forward })
        {
            var state = await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = stream }, cancellationToken: Cancel);
            Assert.Equal((1ul, true), (state.LastSequence, state.Completed));
        }
        // The character cut at the end of the shell's output shows as one U+FFFD; the forward ends with a FIN exchange.
        var cast = Path.Combine(fixture.DataDirectory, "recordings", "alice", "shell", $"{shell}.cast");
        Assert.Equal("\uFFFD", JsonDocument.Parse(File.ReadLines(cast).Last()).RootElement[2].GetString());
        var packets = await ReadAsync(Path.Combine(fixture.DataDirectory, "recordings", "alice", "tcpip", $"{session}_10.0.0.5_8080.pcap"), [8080], Cancel);
        AssertNoWarnings(packets);
        Assert.Equal(["0x0011", "0x0011", "0x0010"], packets.TakeLast(3).Select(p => p.Flags));
        Assert.Equal("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), Payload(packets));
    }

    private async Task<ulong> StateAsync(string stream) =>
        (await fixture.Recordings().GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = stream }, cancellationToken: Cancel)).LastSequence;

    /// <summary>Both directions in random pieces, interleaved as a forward's traffic is, numbered from 1.</summary>
    internal static List<TcpipRecordingFrame> Interleaved(Random random, byte[] input, byte[] output, ulong first = 1)
    {
        var inputs = new Queue<byte[]>(Seeds.RandomChunks(random, input, 7_000));
        var outputs = new Queue<byte[]>(Seeds.RandomChunks(random, output, 7_000));
        var frames = new List<TcpipRecordingFrame>();
        for (var sequence = first; inputs.Count + outputs.Count > 0; sequence++)
        {
            var (direction, from) = outputs.Count == 0 || (inputs.Count > 0 && random.Next(2) == 0) ? (Direction.Input, inputs) : (Direction.Output, outputs);
            frames.Add(TcpipChunk(sequence, sequence * 2, from.Dequeue(), direction));
        }
        return frames;
    }

    internal static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
