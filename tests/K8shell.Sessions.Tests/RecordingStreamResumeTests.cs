using System.Text;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;
using K8shell.Testing;
using static K8shell.Sessions.Tests.Captures;
using static K8shell.Sessions.Tests.StreamFrames;

namespace K8shell.Sessions.Tests;

/// <summary>
/// A proxy whose recording call breaks asks where the stream stands and sends again from there, overlapping what
/// Sessions already has: the file ends up with every byte exactly once, whether the call was cut, taken over by a
/// newer one, or Sessions itself stopped or was killed in between (its catalog in SQLite or PostgreSQL).
/// </summary>
public sealed class RecordingStreamResumeTests(RecordingStreamsFixture fixture, RecordsPostgres postgres)
{
    private const int Signal9 = 9;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cut_call_resumed_with_overlapping_frames_leaves_every_byte_once()
    {
        var random = new Random(Seeds.Seed);
        var output = CastWriterTests.TerminalBytes(random, 60_000);
        var session = NewSessionId();
        var header = ShellHeader(Origin(session, $"sh-{session}1", await fixture.UserTokenAsync("alice")));
        var frames = ShellOutputs(Seeds.RandomChunks(random, output, 40));
        var client = fixture.Recordings();

        // Cut as soon as Sessions has some: others are in flight, written, or saved.
        await SendAndCutAsync(client.StreamShellRecording(cancellationToken: Cancel), [header, .. frames[..(frames.Count / 2)]],
            async () => (await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = header.Header.Origin.StreamId }, cancellationToken: Cancel)).LastSequence > 0);
        var state = await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = header.Header.Origin.StreamId }, cancellationToken: Cancel);
        var resumeFrom = (int)Math.Max(0, (long)state.LastSequence - 25);
        var ack = await SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [header, .. frames[resumeFrom..]]);

        Assert.False(state.Completed);
        Assert.InRange(state.LastSequence, 1ul, (ulong)frames.Count / 2);
        Assert.Equal((ulong)frames.Count, ack.LastSequence);
        await AssertCastPrintsAsync(fixture.DataDirectory, "alice", header, output);
    }

    [Fact]
    public async Task A_newer_call_takes_over_a_stream_whose_older_call_is_still_open()
    {
        var random = new Random(Seeds.Seed + 1);
        var output = CastWriterTests.TerminalBytes(random, 30_000);
        var session = NewSessionId();
        var header = ShellHeader(Origin(session, $"sh-{session}1", await fixture.UserTokenAsync("alice")));
        var frames = ShellOutputs(Seeds.RandomChunks(random, output, 40));
        var client = fixture.Recordings();
        using var older = client.StreamShellRecording(cancellationToken: Cancel);
        await WriteAsync(older, [header, .. frames[..(frames.Count / 3)]]);
        // The older call holds the stream (else the newer one would be the older to arrive, and be taken over).
        Assert.True(await Eventually.WaitAsync(async () => (await client.GetRecordingStateAsync(
            new GetRecordingStateRequest { StreamId = header.Header.Origin.StreamId }, cancellationToken: Cancel)).LastSequence > 0, TimeSpan.FromSeconds(30), Cancel));

        // The proxy lost sight of the older call and starts over from the first frame.
        var ack = await SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [header, .. frames]);
        var stopped = await Assert.ThrowsAsync<RpcException>(() => older.ResponseAsync);

        Assert.Equal((ulong)frames.Count, ack.LastSequence);
        Assert.Equal((StatusCode.Aborted, $"a newer call took over stream {header.Header.Origin.StreamId}"), (stopped.StatusCode, stopped.Status.Detail));
        await AssertCastPrintsAsync(fixture.DataDirectory, "alice", header, output);
    }

    [Fact]
    public async Task A_file_left_idle_is_closed_and_its_stream_resumes_from_where_it_was_saved()
    {
        using var scratch = new ScratchFolder();
        await using var sessions = await fixture.StartSessionsAsync(scratch.Path, new Dictionary<string, string?> { ["Sessions__Recording__IdleTimeout"] = "00:00:01" });
        var client = fixture.Recordings(sessions);
        var random = new Random(Seeds.Seed + 2);
        var session = NewSessionId();
        var token = await fixture.UserTokenAsync("alice");
        var (input, output) = (ForwardRecordingStreamTests.RandomBytes(random, 20_000), ForwardRecordingStreamTests.RandomBytes(random, 50_000));
        var header = TcpipHeader(Origin(session, $"pf-{session}1", token), "127.0.0.1", 45000, "10.1.1.1", 6379);
        var frames = ForwardRecordingStreamTests.Interleaved(random, input, output);
        await SendAndCutAsync(client.StreamTcpipRecording(cancellationToken: Cancel), [header, .. frames[..(frames.Count / 2)]],
            async () => (await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = $"pf-{session}1" }, cancellationToken: Cancel)).LastSequence > 0);

        await sessions.Process.WaitForLineAsync(line => line.Contains($"Closing recording alice/tcpip/{session}_10.1.1.1_6379.pcap: no call for", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), Cancel);
        await ResumeAsync(client, $"pf-{session}1", from => SendAsync(client.StreamTcpipRecording(cancellationToken: Cancel), [header, .. frames[from..]]));
        await client.EndRecordingSessionAsync(new EndRecordingSessionRequest { SessionId = session }, cancellationToken: Cancel);

        var packets = await ReadAsync(Path.Combine(scratch.Path, "recordings", "alice", "tcpip", $"{session}_10.1.1.1_6379.pcap"), [6379], Cancel);
        AssertNoWarnings(packets);
        Assert.Equal(input, Payload(packets.Where(p => p.From == "127.0.0.1:45000")));
        Assert.Equal(output, Payload(packets.Where(p => p.To == "127.0.0.1:45000")));
    }

    public static TheoryData<string, int> Restarts => new() { { "sqlite", Signal9 }, { "sqlite", Signals.SigTerm }, { "postgres", Signal9 } };

    [Theory]
    [MemberData(nameof(Restarts))]
    public async Task Streams_resume_where_the_file_stood_after_Sessions_stopped_or_was_killed(string store, int signal)
    {
        using var scratch = new ScratchFolder();
        // Checkpoints only when asked: what reached the files after the last one is there when Sessions goes.
        var settings = new Dictionary<string, string?> { ["Sessions__Recording__CheckpointInterval"] = "01:00:00" };
        if (store == "postgres")
        {
            settings["ConnectionStrings__postgres"] = await postgres.NewDatabaseAsync(Cancel);
        }
        var random = new Random(Seeds.Seed + signal);
        var session = NewSessionId();
        var token = await fixture.UserTokenAsync("alice");
        // The shell's saved part ends inside a character ("€" is E2 82 AC): its first bytes must survive the restart.
        byte[] saved = [.. CastWriterTests.TerminalBytes(random, 100_000), 0xE2, 0x82], rest = [0xAC, .. CastWriterTests.TerminalBytes(random, 200_000)];
        var shell = ShellHeader(Origin(session, $"sh-{session}1", token));
        var shellSaved = ShellOutputs(Seeds.RandomChunks(random, saved, 60));
        var shellFrames = shellSaved.Concat(ShellOutputs(Seeds.RandomChunks(random, rest, 60), first: (ulong)shellSaved.Count + 1)).ToList();
        var forwards = new[] { (Port: 40001u, Input: ForwardRecordingStreamTests.RandomBytes(random, 100_000), Output: ForwardRecordingStreamTests.RandomBytes(random, 250_000)),
                               (Port: 40002u, Input: ForwardRecordingStreamTests.RandomBytes(random, 30_000), Output: ForwardRecordingStreamTests.RandomBytes(random, 80_000)) };
        var forwardHeaders = forwards.Select((forward, i) => TcpipHeader(Origin(session, $"pf-{session}{i + 2}", token), "127.0.0.1", forward.Port, "10.9.8.7", 5432)).ToArray();
        var forwardFrames = forwards.Select(forward => ForwardRecordingStreamTests.Interleaved(random, forward.Input, forward.Output)).ToArray();
        var castPath = Path.Combine(scratch.Path, "recordings", "alice", "shell", $"sh-{session}1.cast");
        var pcapPath = Path.Combine(scratch.Path, "recordings", "alice", "tcpip", $"{session}_10.9.8.7_5432.pcap");

        await using (var first = await fixture.StartSessionsAsync(scratch.Path, settings))
        {
            var client = fixture.Recordings(first);
            var shellCall = client.StreamShellRecording(cancellationToken: Cancel);
            var forwardCalls = forwardHeaders.Select(_ => client.StreamTcpipRecording(cancellationToken: Cancel)).ToArray();
            await WriteAsync(shellCall, [shell, .. shellSaved]);
            for (var i = 0; i < forwardCalls.Length; i++)
            {
                await WriteAsync(forwardCalls[i], [forwardHeaders[i], .. forwardFrames[i][..(forwardFrames[i].Count / 3)]]);
            }
            // Asking for the state saves where each file stands: the shell's up to the cut character.
            Assert.True(await Eventually.WaitAsync(async () => await StateAsync(client, shell) == (ulong)shellSaved.Count
                && await StateAsync(client, forwardHeaders[0]) == (ulong)(forwardFrames[0].Count / 3)
                && await StateAsync(client, forwardHeaders[1]) == (ulong)(forwardFrames[1].Count / 3), TimeSpan.FromSeconds(30), Cancel),
                "the first part never reached the disk");
            var (castSaved, pcapSaved) = (new FileInfo(castPath).Length, new FileInfo(pcapPath).Length);
            await WriteAsync(shellCall, shellFrames[shellSaved.Count..^(shellFrames.Count / 4)]);
            for (var i = 0; i < forwardCalls.Length; i++)
            {
                await WriteAsync(forwardCalls[i], forwardFrames[i][(forwardFrames[i].Count / 3)..(2 * forwardFrames[i].Count / 3)]);
            }
            // More than a write buffer of each reached the file beyond what was saved.
            Assert.True(await Eventually.WaitAsync(() => new FileInfo(castPath).Length > castSaved && new FileInfo(pcapPath).Length > pcapSaved,
                TimeSpan.FromSeconds(30), Cancel), "the files never grew past their checkpoint");

            var exit = await first.Process.StopAsync(TimeSpan.FromSeconds(30), signal);
            if (signal == Signals.SigTerm)
            {
                // Stopping, Sessions ended the calls with a status that says to resume, and saved where they stood.
                Assert.Equal(0, exit);
                var told = await Assert.ThrowsAsync<RpcException>(() => shellCall.ResponseAsync);
                Assert.Equal((StatusCode.Unavailable, "Sessions is stopping; resume the stream"), (told.StatusCode, told.Status.Detail));
            }
            shellCall.Dispose();
            Array.ForEach(forwardCalls, call => call.Dispose());
        }

        await using var second = await fixture.StartSessionsAsync(scratch.Path, settings);
        var resumed = fixture.Recordings(second);
        var shellAck = await ResumeAsync(resumed, shell.Header.Origin.StreamId, from => SendAsync(resumed.StreamShellRecording(cancellationToken: Cancel), [shell, .. shellFrames[from..]]));
        for (var i = 0; i < forwards.Length; i++)
        {
            var (header, frames) = (forwardHeaders[i], forwardFrames[i]);
            await ResumeAsync(resumed, header.Header.Origin.StreamId, from => SendAsync(resumed.StreamTcpipRecording(cancellationToken: Cancel), [header, .. frames[from..]]));
        }
        await resumed.EndRecordingSessionAsync(new EndRecordingSessionRequest { SessionId = session }, cancellationToken: Cancel);

        Assert.Equal((ulong)shellFrames.Count, shellAck.LastSequence);
        await AssertCastPrintsAsync(scratch.Path, "alice", shell, [.. saved, .. rest]);
        var packets = await ReadAsync(pcapPath, [5432], Cancel);
        AssertNoWarnings(packets);
        foreach (var (port, input, sent) in forwards)
        {
            Assert.Equal(input, Payload(packets.Where(p => p.From == $"127.0.0.1:{port}")));
            Assert.Equal(sent, Payload(packets.Where(p => p.To == $"127.0.0.1:{port}")));
        }
    }

    private static async Task<ulong> StateAsync<TFrame>(RecordingService.RecordingServiceClient client, TFrame header) where TFrame : Google.Protobuf.IMessage =>
        (await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = StreamIdOf(header) }, cancellationToken: Cancel)).LastSequence;

    private static string StreamIdOf(Google.Protobuf.IMessage header) => header switch
    {
        ShellRecordingFrame shell => shell.Header.Origin.StreamId,
        TcpipRecordingFrame tcpip => tcpip.Header.Origin.StreamId,
        _ => throw new ArgumentException("not a header frame the tests send", nameof(header)),
    };

    /// <summary>Asks where the stream stands and sends again from a few frames before it, as a proxy that kept them would.</summary>
    private static async Task<RecordingAck> ResumeAsync(RecordingService.RecordingServiceClient client, string streamId, Func<int, Task<RecordingAck>> sendFrom)
    {
        var state = await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = streamId }, cancellationToken: Cancel);
        Assert.False(state.Completed);
        return await sendFrom((int)Math.Max(0, (long)state.LastSequence - 3));
    }

    private static async Task WriteAsync<TFrame>(AsyncClientStreamingCall<TFrame, RecordingAck> call, IEnumerable<TFrame> frames)
    {
        foreach (var frame in frames)
        {
            await call.RequestStream.WriteAsync(frame, Cancel);
        }
    }

    /// <summary>asciinema cat prints exactly the output, decoded as the whole would be (invalid bytes as U+FFFD).</summary>
    private static async Task AssertCastPrintsAsync(string dataDirectory, string user, ShellRecordingFrame header, byte[] output)
    {
        var printed = await Programs.AsciinemaCatAsync(Path.Combine(dataDirectory, "recordings", user, "shell", $"{header.Header.Origin.StreamId}.cast"), Cancel);
        Assert.True(printed.ExitCode == 0, $"asciinema cat failed: {printed.Errors}");
        var expected = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(output));
        var differs = expected.AsSpan().CommonPrefixLength(printed.Output);
        Assert.True(differs == expected.Length && differs == printed.Output.Length,
            $"seed {Seeds.Seed}: asciinema cat printed {printed.Output.Length} bytes, differing from the {expected.Length} of the output sent once each at byte {differs}");
    }
}
