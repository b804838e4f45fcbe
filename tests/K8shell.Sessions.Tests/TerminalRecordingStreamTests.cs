using System.Text;
using System.Text.Json;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;
using static K8shell.Sessions.Tests.StreamFrames;

namespace K8shell.Sessions.Tests;

/// <summary>Shell and exec recordings streamed to the real Sessions by gRPC, read back by Debian's asciinema.</summary>
public sealed class TerminalRecordingStreamTests(RecordingStreamsFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_shell_recording_is_filed_under_the_tokens_user_and_asciinema_cat_prints_its_output()
    {
        var session = NewSessionId();
        var stream = $"sh-{session}1";
        var client = fixture.Recordings();
        // Pieces of three bytes cut most multibyte characters in two.
        var text = "hello wörld ✓ 日本語 😀\r\n$ ls -l\r\ntotal 0\r\n";
        var chunks = Encoding.UTF8.GetBytes(text).Chunk(3).ToList();
        List<ShellRecordingFrame> frames = [ShellHeader(Origin(session, stream, await fixture.UserTokenAsync("alice")), 120, 40), .. ShellOutputs(chunks)];
        frames.Add(ShellResize((ulong)frames.Count, 5_000, 100, 30));
        frames.Add(ShellOutput((ulong)frames.Count, 5_001, "$ "u8.ToArray()));

        var ack = await SendAsync(client.StreamShellRecording(cancellationToken: Cancel), frames);

        Assert.Equal((stream, (ulong)frames.Count - 1), (ack.StreamId, ack.LastSequence));
        Assert.Matches("^[A-Za-z0-9_-]{22}$", ack.RecordingId);
        var path = Path.Combine(fixture.DataDirectory, "recordings", "alice", "shell", $"{stream}.cast");
        var printed = await Programs.AsciinemaCatAsync(path, Cancel);
        Assert.True(printed.ExitCode == 0, $"asciinema cat failed: {printed.Errors}");
        Assert.Equal(text + "$ ", printed.Text);
        var header = JsonDocument.Parse(File.ReadLines(path).First()).RootElement;
        Assert.Equal((120, 40, Start.ToUnixTimeSeconds(), "xterm-256color"),
            (header.GetProperty("width").GetInt32(), header.GetProperty("height").GetInt32(), header.GetProperty("timestamp").GetInt64(),
             header.GetProperty("env").GetProperty("TERM").GetString()));
        Assert.Contains("[5.000000,\"r\",\"100x30\"]", File.ReadLines(path));
        var state = await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = stream }, cancellationToken: Cancel);
        Assert.Equal((ack.LastSequence, true), (state.LastSequence, state.Completed));
    }

    [Fact]
    public async Task An_exec_recording_names_its_command_and_shows_a_gap_where_the_proxy_dropped_output()
    {
        var session = NewSessionId();
        var stream = $"ex-{session}2";
        var origin = Origin(session, stream, await fixture.UserTokenAsync("bob"));
        ExecRecordingFrame[] frames =
        [
            new() { Header = new ExecRecordingHeader { Origin = origin, Command = "ls -l /tmp" } },
            new() { Sequence = 1, Chunk = Chunk(5, "total 4\n"u8.ToArray(), Direction.Output) },
            new() { Sequence = 2, Gap = new RecordingGap { TimeOffsetMs = 6, DroppedBytes = 4096, DroppedFrames = 2, Reason = "buffer full" } },
            new() { Sequence = 3, Chunk = Chunk(7, "drwx a\n"u8.ToArray(), Direction.Output) },
        ];

        var ack = await SendAsync(fixture.Recordings().StreamExecRecording(cancellationToken: Cancel), frames);

        Assert.Equal(3ul, ack.LastSequence);
        var path = Path.Combine(fixture.DataDirectory, "recordings", "bob", "exec", $"{stream}.cast");
        var header = JsonDocument.Parse(File.ReadLines(path).First()).RootElement;
        Assert.Equal(("ls -l /tmp", 80, 24), (header.GetProperty("command").GetString(), header.GetProperty("width").GetInt32(), header.GetProperty("height").GetInt32()));
        var printed = await Programs.AsciinemaCatAsync(path, Cancel);
        Assert.True(printed.ExitCode == 0, $"asciinema cat failed: {printed.Errors}");
        Assert.Equal("total 4\n\r\n[k8shell: 4096 bytes of this session were not recorded (buffer full)]\r\ndrwx a\n", printed.Text);
    }

    [Fact]
    public async Task A_call_without_a_header_first_is_refused_and_records_nothing()
    {
        var client = fixture.Recordings();

        var chunkFirst = await Assert.ThrowsAsync<RpcException>(() =>
            SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellOutput(1, 0, "x"u8.ToArray())]));
        var empty = await Assert.ThrowsAsync<RpcException>(() =>
            SendAsync(client.StreamShellRecording(cancellationToken: Cancel), Array.Empty<ShellRecordingFrame>()));
        var numbered = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            var header = ShellHeader(Origin(NewSessionId(), "sh-numbered", await fixture.UserTokenAsync("alice")));
            header.Sequence = 5;
            await SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [header]);
        });

        Assert.Equal((StatusCode.InvalidArgument, "the first frame must be the header"), (chunkFirst.StatusCode, chunkFirst.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "the first frame must be the header"), (empty.StatusCode, empty.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "the header must carry sequence 0, not 5"), (numbered.StatusCode, numbered.Status.Detail));
        Assert.False(File.Exists(Path.Combine(fixture.DataDirectory, "recordings", "alice", "shell", "sh-numbered.cast")));
    }

    [Fact]
    public async Task A_time_that_is_no_time_is_refused_naming_the_field()
    {
        var client = fixture.Recordings();
        var origin = Origin(NewSessionId(), $"sh-badtime-{Guid.NewGuid():N}", await fixture.UserTokenAsync("alice"));
        origin.StartedAt.Nanos = -1;

        var header = await Assert.ThrowsAsync<RpcException>(() => SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(origin)]));
        var end = await Assert.ThrowsAsync<RpcException>(async () => await client.EndRecordingSessionAsync(
            new EndRecordingSessionRequest { SessionId = NewSessionId(), EndTime = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 1, Nanos = 1_000_000_000 } },
            cancellationToken: Cancel));

        Assert.Equal((StatusCode.InvalidArgument, $"the header's origin.started_at is not a valid time (seconds {origin.StartedAt.Seconds}, nanos -1)"),
            (header.StatusCode, header.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "end_time is not a valid time (seconds 1, nanos 1000000000)"), (end.StatusCode, end.Status.Detail));
        Assert.False(File.Exists(Path.Combine(fixture.DataDirectory, "recordings", "alice", "shell", $"{origin.StreamId}.cast")));
    }

    [Fact]
    public async Task A_sequence_that_skips_ends_the_call_and_nothing_after_it_is_written()
    {
        var session = NewSessionId();
        var stream = $"sh-{session}1";
        var client = fixture.Recordings();
        List<ShellRecordingFrame> frames =
        [
            ShellHeader(Origin(session, stream, await fixture.UserTokenAsync("alice"))),
            ShellOutput(1, 10, "one "u8.ToArray()),
            ShellOutput(2, 20, "two "u8.ToArray()),
            ShellOutput(4, 40, "four "u8.ToArray()),
            ShellOutput(5, 50, "five "u8.ToArray()),
        ];

        var skipped = await Assert.ThrowsAsync<RpcException>(() => SendAsync(client.StreamShellRecording(cancellationToken: Cancel), frames));

        Assert.Equal((StatusCode.InvalidArgument, "expected sequence 3, got 4"), (skipped.StatusCode, skipped.Status.Detail));
        var state = await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = stream }, cancellationToken: Cancel);
        Assert.Equal((2ul, false), (state.LastSequence, state.Completed));
        var printed = await Programs.AsciinemaCatAsync(Path.Combine(fixture.DataDirectory, "recordings", "alice", "shell", $"{stream}.cast"), Cancel);
        Assert.Equal("one two ", printed.Text);
    }

    [Fact]
    public async Task Headers_after_the_first_and_frames_that_carry_nothing_are_refused()
    {
        var client = fixture.Recordings();
        var token = await fixture.UserTokenAsync("alice");
        var origin = Origin(NewSessionId(), $"sh-twice-{Guid.NewGuid():N}", token);

        var twice = await Assert.ThrowsAsync<RpcException>(() =>
            SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(origin), ShellOutput(1, 0, "a"u8.ToArray()), ShellHeader(origin)]));
        var nothing = await Assert.ThrowsAsync<RpcException>(() =>
            SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(origin), new ShellRecordingFrame { Sequence = 2 }]));
        var tiny = await Assert.ThrowsAsync<RpcException>(() =>
            SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(Origin(NewSessionId(), "sh-tiny", token), width: 0)]));

        Assert.Equal((StatusCode.InvalidArgument, "only the first frame may be the header (frame 0 is one)"), (twice.StatusCode, twice.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "frame 2 carries no chunk, resize or gap"), (nothing.StatusCode, nothing.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "the terminal size 0x24 is out of range (1 to 10000 on each side)"), (tiny.StatusCode, tiny.Status.Detail));
    }

    [Fact]
    public async Task A_completed_stream_accepts_nothing_more_and_another_user_cannot_continue_a_stream()
    {
        var session = NewSessionId();
        var client = fixture.Recordings();
        var alice = await fixture.UserTokenAsync("alice");
        var done = Origin(session, $"sh-{session}1", alice);
        await SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(done), ShellOutput(1, 0, "bye"u8.ToArray())]);
        var open = Origin(session, $"sh-{session}2", alice);
        await SendAndCutAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(open), ShellOutput(1, 0, "hi"u8.ToArray())],
            async () => (await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = open.StreamId }, cancellationToken: Cancel)).LastSequence == 1);

        var again = await Assert.ThrowsAsync<RpcException>(() =>
            SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(done), ShellOutput(2, 0, "more"u8.ToArray())]));
        var bob = await Assert.ThrowsAsync<RpcException>(async () =>
            await SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(Origin(session, open.StreamId, await fixture.UserTokenAsync("bob")))]));
        var otherSession = await Assert.ThrowsAsync<RpcException>(() =>
            SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(Origin(NewSessionId(), open.StreamId, alice))]));

        Assert.Equal((StatusCode.FailedPrecondition, $"the recording of stream {done.StreamId} is completed; it accepts nothing more"), (again.StatusCode, again.Status.Detail));
        Assert.Equal((StatusCode.PermissionDenied, $"stream {open.StreamId} is recorded for another user"), (bob.StatusCode, bob.Status.Detail));
        Assert.Equal(StatusCode.InvalidArgument, otherSession.StatusCode);
        Assert.StartsWith($"stream {open.StreamId} belongs to session {session}", otherSession.Status.Detail, StringComparison.Ordinal);
    }
}
