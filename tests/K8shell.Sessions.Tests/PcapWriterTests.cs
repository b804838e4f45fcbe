using K8shell.Contracts.Sessions.V1;
using K8shell.Sessions.Recording;
using static K8shell.Sessions.Tests.Captures;

namespace K8shell.Sessions.Tests;

public sealed class PcapWriterTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    // The destinations these tests forward to; their random payloads are decoded as plain data.
    private static readonly int[] DestinationPorts = [22, 80, 5432];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tshark_reads_back_each_direction_split_anywhere_with_valid_checksums_and_no_warnings()
    {
        using var scratch = new ScratchFolder();
        var random = new Random(Seeds.Seed);
        var input = RandomBytes(random, 300_000);
        var output = RandomBytes(random, 700_000);
        var path = scratch.File("forward.pcap");
        await using (var pcap = await PcapWriter.StartAsync(RecordingFile.Create(path), Cancel))
        {
            var flow = await pcap.OpenFlowAsync("192.0.2.10", 50022, "10.1.2.3", 5432, Start, Cancel);
            await WriteInterleavedAsync(random, flow, input, output);
            await flow.CloseAsync(TimeSpan.FromSeconds(100), Cancel);
            await pcap.CompleteAsync(Start.AddSeconds(100), Cancel);
        }

        var packets = await Packets(path);

        AssertNoWarnings(packets);
        Assert.Equal(input, Payload(packets.Where(p => p.From == "192.0.2.10:50022" && p.To == "10.1.2.3:5432")));
        Assert.Equal(output, Payload(packets.Where(p => p.From == "10.1.2.3:5432" && p.To == "192.0.2.10:50022")));
        Assert.Equal(["0x0002", "0x0012", "0x0010"], packets.Take(3).Select(p => p.Flags));
        Assert.Equal(["0x0011", "0x0011", "0x0010"], packets.TakeLast(3).Select(p => p.Flags));
        Assert.All(packets, p => Assert.InRange(p.Payload.Length, 0, TcpPacket.MaxSegmentSize));
    }

    [Fact]
    public async Task Channels_of_one_connection_are_separate_tcp_streams_of_one_file()
    {
        using var scratch = new ScratchFolder();
        var random = new Random(Seeds.Seed);
        var path = scratch.File("shared.pcap");
        var sent = new List<(byte[] Input, byte[] Output)>();
        await using (var pcap = await PcapWriter.StartAsync(RecordingFile.Create(path), Cancel))
        {
            // Two channels claim the same client port and one none at all: each still gets its own stream.
            var flows = new[]
            {
                await pcap.OpenFlowAsync("127.0.0.1", 40000, "db.internal", 5432, Start, Cancel),
                await pcap.OpenFlowAsync("127.0.0.1", 40000, "db.internal", 5432, Start.AddSeconds(1), Cancel),
                await pcap.OpenFlowAsync("127.0.0.1", 0, "db.internal", 5432, Start.AddSeconds(2), Cancel),
            };
            await Task.WhenAll(flows.Select(async flow =>
            {
                var (input, output) = (RandomBytes(random, 50_000), RandomBytes(random, 80_000));
                lock (sent)
                {
                    sent.Add((input, output));
                }
                await WriteInterleavedAsync(new Random(input[0]), flow, input, output);
            }));
            await flows[0].CloseAsync(TimeSpan.FromSeconds(50), Cancel);
            await pcap.CompleteAsync(Start.AddSeconds(60), Cancel);
        }

        var packets = await Packets(path);

        AssertNoWarnings(packets);
        var streams = packets.GroupBy(p => p.Stream).ToList();
        Assert.Equal(3, streams.Count);
        Assert.Equal(3, streams.Select(s => s.First().From).Distinct().Count());
        Assert.All(streams, s => Assert.Contains(sent, pair =>
            pair.Input.AsSpan().SequenceEqual(Payload(s.Where(p => p.From == s.First().From)))
            && pair.Output.AsSpan().SequenceEqual(Payload(s.Where(p => p.From != s.First().From)))));
    }

    [Fact]
    public async Task A_gap_jumps_the_sequence_so_wireshark_says_a_segment_was_not_captured()
    {
        using var scratch = new ScratchFolder();
        var path = scratch.File("gap.pcap");
        await using (var pcap = await PcapWriter.StartAsync(RecordingFile.Create(path), Cancel))
        {
            var flow = await pcap.OpenFlowAsync("192.0.2.10", 50022, "198.51.100.7", 80, Start, Cancel);
            await flow.WriteAsync(Direction.Input, TimeSpan.FromSeconds(1), "GET / HTTP/1.0\r\n\r\n"u8.ToArray(), Cancel);
            await flow.WriteAsync(Direction.Output, TimeSpan.FromSeconds(2), "HTTP/1.0 200 OK\r\n\r\nbefore"u8.ToArray(), Cancel);
            await flow.GapAsync(Direction.Output, TimeSpan.FromSeconds(3), 100_000, Cancel);
            await flow.WriteAsync(Direction.Output, TimeSpan.FromSeconds(4), "after"u8.ToArray(), Cancel);
            await pcap.CompleteAsync(Start.AddSeconds(5), Cancel);
        }

        var packets = await Packets(path);

        var after = Assert.Single(packets, p => p.Payload.AsSpan().SequenceEqual("after"u8));
        var before = Assert.Single(packets, p => p.Payload.AsSpan().EndsWith("before"u8));
        Assert.Equal(before.Sequence + before.Payload.Length + 100_000, after.Sequence);
        Assert.Contains(after.Expert, e => e.Message.Contains("Previous segment(s) not captured", StringComparison.Ordinal));
        Assert.DoesNotContain(packets, p => p.Expert.Any(e => e.Severity >= Error));
    }

    [Theory]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("::ffff:203.0.113.9", "203.0.113.9")]
    [InlineData("::1", null)]
    [InlineData("2001:db8::1", null)]
    [InlineData("db.internal", null)]
    public async Task Hosts_that_are_not_IPv4_appear_as_stable_addresses_in_198_18_0_0_15(string host, string? expected)
    {
        using var scratch = new ScratchFolder();
        var path = scratch.File("addresses.pcap");
        await using (var pcap = await PcapWriter.StartAsync(RecordingFile.Create(path), Cancel))
        {
            await pcap.OpenFlowAsync("192.0.2.10", 50022, host, 22, Start, Cancel);
            await pcap.CompleteAsync(Start, Cancel);
        }

        var shown = (await Packets(path))[0].To;

        var address = SyntheticAddress.Format(SyntheticAddress.ToIPv4(host));
        Assert.Equal($"{address}:22", shown);
        Assert.Equal(address, SyntheticAddress.Format(SyntheticAddress.ToIPv4(host.ToUpperInvariant())));
        if (expected is null)
        {
            Assert.Matches(@"^198\.1[89]\.\d+\.\d+$", address);
        }
        else
        {
            Assert.Equal(expected, address);
        }
    }

    [Fact]
    public async Task A_full_disk_leaves_a_capture_tshark_still_reads()
    {
        using var scratch = new ScratchFolder();
        await using var disk = await SmallDisk.MountAsync(SmallDisk.ThreeBuffers, Cancel);
        var random = new Random(Seeds.Seed);
        var input = RandomBytes(random, 1_000_000);
        var path = Path.Combine(disk.Path, "full.pcap");
        var pcap = await PcapWriter.StartAsync(RecordingFile.Create(path), Cancel);
        await Assert.ThrowsAsync<RecordingDiskFullException>(async () =>
        {
            var flow = await pcap.OpenFlowAsync("192.0.2.10", 50022, "10.1.2.3", 22, Start, Cancel);
            foreach (var chunk in Seeds.RandomChunks(random, input, 5_000))
            {
                await flow.WriteAsync(Direction.Input, TimeSpan.FromSeconds(1), chunk, Cancel);
            }
            await pcap.CompleteAsync(Start.AddSeconds(2), Cancel);
        });
        await pcap.DisposeAsync();

        var packets = await Packets(disk.CopyOut(path, scratch));

        AssertNoWarnings(packets);
        var received = Payload(packets);
        Assert.InRange(received.Length, 150_000, SmallDisk.ThreeBuffers * 1024);
        Assert.Equal(input[..received.Length], received);
    }

    private static async Task WriteInterleavedAsync(Random random, TcpFlow flow, byte[] input, byte[] output)
    {
        var inputs = new Queue<byte[]>(Seeds.RandomChunks(random, input, 70_000));
        var outputs = new Queue<byte[]>(Seeds.RandomChunks(random, output, 70_000));
        var time = 0;
        while (inputs.Count + outputs.Count > 0)
        {
            var (direction, from) = outputs.Count == 0 || (inputs.Count > 0 && random.Next(2) == 0)
                ? (Direction.Input, inputs)
                : (Direction.Output, outputs);
            await flow.WriteAsync(direction, TimeSpan.FromMilliseconds(time += random.Next(0, 3)), from.Dequeue(), Cancel);
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static Task<List<Captures.Packet>> Packets(string path) => Captures.ReadAsync(path, DestinationPorts, Cancel);
}
