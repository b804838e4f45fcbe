using System.Text;
using System.Text.Json;
using K8shell.Contracts.Sessions.V1;
using K8shell.Sessions.Recording;

namespace K8shell.Sessions.Tests;

public sealed class CastWriterTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Asciinema_cat_gives_back_the_output_text_split_anywhere()
    {
        using var scratch = new ScratchFolder();
        var random = new Random(Seeds.Seed);
        var output = TerminalBytes(random, 200_000);
        var path = scratch.File("shell.cast");
        await using (var cast = await CastWriter.StartAsync(RecordingFile.Create(path), new CastHeader(120, 40, Start) { Term = "xterm-256color" }, Cancel))
        {
            var time = 0;
            foreach (var chunk in Seeds.RandomChunks(random, output, 40_000))
            {
                await cast.WriteAsync(Direction.Output, TimeSpan.FromMilliseconds(time += random.Next(0, 50)), chunk, Cancel);
            }
            await cast.CompleteAsync(Cancel);
        }

        var printed = await Programs.AsciinemaCatAsync(path, Cancel);

        Assert.True(printed.ExitCode == 0, $"asciinema cat failed: {printed.Errors}");
        Assert.True(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(output)).AsSpan().SequenceEqual(printed.Output), $"seed {Seeds.Seed}: asciinema cat printed other bytes");
    }

    [Fact]
    public async Task Output_split_anywhere_decodes_as_the_whole_would()
    {
        var random = new Random(Seeds.Seed);
        for (var run = 0; run < 300; run++)
        {
            var output = TerminalBytes(random, random.Next(0, 2_000));
            var chunks = Seeds.RandomChunks(random, output, random.Next(1, 8));
            var events = await RecordAsync(new CastHeader(80, 24, Start), async cast =>
            {
                foreach (var chunk in chunks)
                {
                    await cast.WriteAsync(Direction.Output, TimeSpan.Zero, chunk, Cancel);
                }
            });

            var recorded = string.Concat(events.Where(e => e.Code == "o").Select(e => e.Data));
            Assert.True(Encoding.UTF8.GetString(output) == recorded, $"seed {Seeds.Seed}, run {run}: chunks [{string.Join(", ", chunks.Select(Convert.ToHexString))}]");
        }
    }

    [Fact]
    public async Task The_header_says_size_start_environment_title_and_command()
    {
        var header = new CastHeader(132, 43, Start) { Term = "xterm", Shell = "/bin/bash", Title = "alice@dev: ls", Command = "ls -l" };

        var file = await RecordBytesAsync(header, _ => ValueTask.CompletedTask);

        using var json = JsonDocument.Parse(file.AsMemory(0, Array.IndexOf(file, (byte)'\n')));
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("version").GetInt32());
        Assert.Equal(132, root.GetProperty("width").GetInt32());
        Assert.Equal(43, root.GetProperty("height").GetInt32());
        Assert.Equal(Start.ToUnixTimeSeconds(), root.GetProperty("timestamp").GetInt64());
        Assert.Equal("xterm", root.GetProperty("env").GetProperty("TERM").GetString());
        Assert.Equal("/bin/bash", root.GetProperty("env").GetProperty("SHELL").GetString());
        Assert.Equal("alice@dev: ls", root.GetProperty("title").GetString());
        Assert.Equal("ls -l", root.GetProperty("command").GetString());
        Assert.Equal(file.Length, Array.IndexOf(file, (byte)'\n') + 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Keystrokes_are_i_events_only_when_the_header_asks_for_them(bool recordInput)
    {
        // "©" is C2 A9: split between two keystroke chunks.
        byte[] first = [.. "pass"u8, 0xC2], second = [0xA9, (byte)'\r'];
        var events = await RecordAsync(new CastHeader(80, 24, Start) { RecordInput = recordInput }, async cast =>
        {
            await cast.WriteAsync(Direction.Input, TimeSpan.FromMilliseconds(10), first, Cancel);
            await cast.WriteAsync(Direction.Output, TimeSpan.FromMilliseconds(20), "$ "u8.ToArray(), Cancel);
            await cast.WriteAsync(Direction.Input, TimeSpan.FromMilliseconds(30), second, Cancel);
        });

        var expected = recordInput
            ? new[] { ("i", "pass"), ("o", "$ "), ("i", "©\r") }
            : [("o", "$ ")];
        Assert.Equal(expected, events.Select(e => (e.Code, e.Data)));
    }

    [Fact]
    public async Task Times_are_seconds_with_six_decimals_that_never_go_back()
    {
        var file = await RecordBytesAsync(new CastHeader(80, 24, Start), async cast =>
        {
            await cast.WriteAsync(Direction.Output, TimeSpan.FromTicks(12_345_678), "a"u8.ToArray(), Cancel);
            await cast.WriteAsync(Direction.Output, TimeSpan.FromMilliseconds(1000), "b"u8.ToArray(), Cancel);
            await cast.ResizeAsync(TimeSpan.FromSeconds(61), 100, 30, Cancel);
        });

        var lines = Encoding.UTF8.GetString(file).Split('\n')[1..^1];
        Assert.Equal(["[1.234567,\"o\",\"a\"]", "[1.234567,\"o\",\"b\"]", "[61.000000,\"r\",\"100x30\"]"], lines);
    }

    [Fact]
    public async Task A_gap_is_a_marker_and_a_visible_line_and_ends_a_cut_character()
    {
        using var scratch = new ScratchFolder();
        var path = scratch.File("gap.cast");
        // "é" is C3 A9: its first byte before the gap, its second after.
        byte[] before = [.. "caf"u8, 0xC3], after = [0xA9, .. " ok"u8];
        await using (var cast = await CastWriter.StartAsync(RecordingFile.Create(path), new CastHeader(80, 24, Start), Cancel))
        {
            await cast.WriteAsync(Direction.Output, TimeSpan.FromSeconds(1), before, Cancel);
            await cast.GapAsync(TimeSpan.FromSeconds(2), 4096, "proxy buffer full\x1b[2J", Cancel);
            await cast.WriteAsync(Direction.Output, TimeSpan.FromSeconds(3), after, Cancel);
            await cast.CompleteAsync(Cancel);
        }

        var events = Events(await File.ReadAllBytesAsync(path, Cancel));
        Assert.Contains(("m", "k8shell: 4096 bytes not recorded (proxy buffer full[2J)"), events.Select(e => (e.Code, e.Data)));
        var printed = await Programs.AsciinemaCatAsync(path, Cancel);
        Assert.True(printed.ExitCode == 0, $"asciinema cat failed: {printed.Errors}");
        Assert.Equal("caf\uFFFD\r\n[k8shell: 4096 bytes of this session were not recorded (proxy buffer full[2J)]\r\n\uFFFD ok", printed.Text);
    }

    [Fact]
    public async Task A_terminal_size_out_of_range_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RecordBytesAsync(new CastHeader(0, 24, Start), _ => ValueTask.CompletedTask));
        await RecordBytesAsync(new CastHeader(80, 24, Start), async cast =>
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => cast.ResizeAsync(TimeSpan.Zero, 80, CastHeader.MaxSide + 1, Cancel).AsTask()));
    }

    [Fact]
    public async Task A_full_disk_leaves_a_recording_asciinema_still_reads()
    {
        using var scratch = new ScratchFolder();
        await using var disk = await SmallDisk.MountAsync(SmallDisk.ThreeBuffers, Cancel);
        var random = new Random(Seeds.Seed);
        var output = TerminalBytes(random, 1_000_000);
        var path = Path.Combine(disk.Path, "full.cast");
        var cast = await CastWriter.StartAsync(RecordingFile.Create(path), new CastHeader(80, 24, Start), Cancel);
        await Assert.ThrowsAsync<RecordingDiskFullException>(async () =>
        {
            var chunks = Seeds.RandomChunks(random, output, 3_000);
            for (var i = 0; i < chunks.Count; i++)
            {
                await cast.WriteAsync(Direction.Output, TimeSpan.FromMilliseconds(i), chunks[i], Cancel);
            }
            await cast.CompleteAsync(Cancel);
        });
        await cast.DisposeAsync();

        var printed = await Programs.AsciinemaCatAsync(disk.CopyOut(path, scratch), Cancel);

        Assert.True(printed.ExitCode == 0, $"asciinema cat failed on the cut recording: {printed.Errors}");
        Assert.InRange(printed.Output.Length, 150_000, SmallDisk.ThreeBuffers * 1024);
        Assert.StartsWith(printed.Text, Encoding.UTF8.GetString(output), StringComparison.Ordinal);
    }

    /// <summary>What a terminal prints: ASCII, escapes, two- to four-byte characters, and now and then invalid bytes.</summary>
    internal static byte[] TerminalBytes(Random random, int length)
    {
        string[] pieces = ["ls -l\r\n", "\x1b[1;32m", "\x1b[0m", "é", "€", "日本語", "😀", "\t", "\x7f", "\u2028", "🇩🇪"];
        var bytes = new List<byte>(length + 16);
        while (bytes.Count < length)
        {
            switch (random.Next(10))
            {
                case 0:
                    bytes.Add((byte)random.Next(0x80, 0x100)); // a stray continuation or lead byte
                    break;
                case < 5:
                    bytes.AddRange(Encoding.UTF8.GetBytes(pieces[random.Next(pieces.Length)]));
                    break;
                default:
                    bytes.Add((byte)random.Next(0x20, 0x7f));
                    break;
            }
        }
        return [.. bytes];
    }

    private static async Task<byte[]> RecordBytesAsync(CastHeader header, Func<CastWriter, ValueTask> record)
    {
        using var memory = new MemoryStream();
        await using (var cast = await CastWriter.StartAsync(new StreamRecordingSink(memory, leaveOpen: true), header, Cancel))
        {
            await record(cast);
            await cast.CompleteAsync(Cancel);
        }
        return memory.ToArray();
    }

    private static async Task<List<(string Code, string Data)>> RecordAsync(CastHeader header, Func<CastWriter, ValueTask> record) =>
        Events(await RecordBytesAsync(header, record));

    /// <summary>The events after the header, each line parsed as JSON on its own, as asciinema reads them.</summary>
    private static List<(string Code, string Data)> Events(byte[] file) =>
        Encoding.UTF8.GetString(file).Split('\n')[1..^1]
            .Select(line => JsonSerializer.Deserialize<JsonElement[]>(line)!)
            .Select(e => (e[1].GetString()!, e[2].GetString()!))
            .ToList();
}
