using System.Text;
using K8shell.Contracts.Sessions.V1;
using K8shell.SshProxy.Recording;
using K8shell.Testing;

namespace K8shell.SshProxy.Tests.Recording;

/// <summary>
/// Sessions killed, restarted or unreachable while a channel is recorded: the channel never waits, the recording
/// resumes where Sessions' disk stands and has every byte once, and what did not fit the buffer is a visible gap.
/// </summary>
public sealed class RecordingOutageTests(SessionsFixture fixture)
{
    private const int Signal9 = 9;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static RecordingOptions Options(RecordingFailMode failMode = RecordingFailMode.Open, long bufferBytes = 8 * 1024 * 1024) => new()
    {
        Shell = true,
        FailMode = failMode,
        BufferBytes = bufferBytes,
        MaxRetryDelay = TimeSpan.FromMilliseconds(300),
        ConfirmInterval = TimeSpan.FromMilliseconds(200),
        FlushTimeout = TimeSpan.FromMinutes(1),
    };

    [Fact]
    public async Task Sessions_killed_mid_recording_and_restarted_leaves_every_byte_once_in_the_file()
    {
        var directory = Directory.CreateTempSubdirectory("k8shell-proxy-resume-").FullName;
        var random = new Random(31);
        var output = TestRecorders.TerminalBytes(random, 60_000);
        var chunks = TestRecorders.Chunks(random, output, 500);
        var session = SessionsFixture.NewSessionId();
        var streamId = $"sh-{session}1";
        var first = await fixture.StartSessionsAsync(directory);
        await using var relay = new SessionsRelay(first.GrpcEndpoint);
        var recorders = TestRecorders.For(fixture, session, Options(), relay.Address);
        var state = fixture.Recordings(relay.Address);
        var recording = await recorders.StartAsync(new RecordingRequest(RecordingKind.Shell, streamId, null) { Columns = 80, Rows = 24 }, Cancel);

        var third = chunks.Count / 3;
        foreach (var chunk in chunks[..third])
        {
            recording!.Output(chunk);
        }
        Assert.True(await Eventually.WaitAsync(async () => (await state.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = streamId },
            cancellationToken: Cancel)).LastSequence > 0, TimeSpan.FromSeconds(30), Cancel), "Sessions never saved any of the recording");
        // Frames in flight or written but not yet saved die with it.
        relay.PointAt(null);
        await first.Process.StopAsync(TimeSpan.FromSeconds(10), Signal9);
        await first.DisposeAsync();
        foreach (var chunk in chunks[third..(2 * third)])
        {
            recording!.Output(chunk);
        }
        await using var second = await fixture.StartSessionsAsync(directory);
        relay.PointAt(second.GrpcEndpoint);
        foreach (var chunk in chunks[(2 * third)..])
        {
            recording!.Output(chunk);
        }
        await recording!.DisposeAsync();
        await recorders.DisposeAsync();

        var cast = SessionsFixture.RecordingPath(directory, "shell", streamId + ".cast");
        Assert.Equal(output, await Asciinema.CatAsync(cast, Cancel));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task What_overflows_the_buffer_while_Sessions_is_unreachable_is_dropped_and_marked_as_a_gap_in_the_recording()
    {
        var session = SessionsFixture.NewSessionId();
        var streamId = $"sh-{session}1";
        await using var relay = new SessionsRelay(null);
        // Open: the shell starts although Sessions cannot be reached, and its recording is kept meanwhile.
        var recorders = TestRecorders.For(fixture, session, Options(bufferBytes: 64 * 1024), relay.Address);
        var recording = await recorders.StartAsync(new RecordingRequest(RecordingKind.Shell, streamId, null) { Columns = 80, Rows = 24 }, Cancel);
        var line = Encoding.ASCII.GetBytes(new string('x', 4094) + "\r\n");

        // 64 KiB hold 15 chunks of 4 KiB with their overhead; the other 25 are dropped.
        for (var i = 0; i < 40; i++)
        {
            recording!.Output(line);
        }
        relay.PointAt(fixture.Sessions.GrpcEndpoint);
        recording!.Output("after the gap\r\n"u8);
        await recording.DisposeAsync();
        await recorders.DisposeAsync();

        var cast = SessionsFixture.RecordingPath(fixture.DataDirectory, "shell", streamId + ".cast");
        var printed = Encoding.UTF8.GetString(await Asciinema.CatAsync(cast, Cancel));
        var kept = string.Concat(Enumerable.Repeat(Encoding.ASCII.GetString(line), 15));
        Assert.StartsWith(kept, printed);
        Assert.Contains($"[k8shell: {25 * 4096} bytes of this session were not recorded", printed[kept.Length..]);
        Assert.EndsWith("after the gap\r\n", printed);
        Assert.Contains($"k8shell: {25 * 4096} bytes not recorded", await File.ReadAllTextAsync(cast, Cancel));
    }

    [Fact]
    public async Task With_fail_mode_closed_a_channel_that_must_be_recorded_is_refused_while_Sessions_is_unreachable()
    {
        await using var relay = new SessionsRelay(null);
        var recorders = TestRecorders.For(fixture, SessionsFixture.NewSessionId(), Options(RecordingFailMode.Closed), relay.Address);

        var refused = await Assert.ThrowsAsync<RecordingRefusedException>(async () =>
            await recorders.StartAsync(new RecordingRequest(RecordingKind.Shell, "sh-closed1", null), Cancel));
        // Not recorded: nothing to refuse.
        var unrecorded = await recorders.StartAsync(new RecordingRequest(RecordingKind.Exec, "ex-closed2", null), Cancel);
        relay.PointAt(fixture.Sessions.GrpcEndpoint);
        // The client waits a little before it connects again after a failure: the channel starts once it does.
        IChannelRecording? recording = null;
        var startedOnceBack = await Eventually.WaitAsync(async () =>
        {
            try
            {
                recording = await recorders.StartAsync(new RecordingRequest(RecordingKind.Shell, "sh-closed3", null), Cancel);
                return true;
            }
            catch (RecordingRefusedException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), Cancel);

        Assert.StartsWith("recording is required and the session service is unavailable", refused.Message);
        Assert.Null(unrecorded);
        Assert.True(startedOnceBack, "a recorded channel was still refused once Sessions was back");
        await recording!.DisposeAsync();
        await recorders.DisposeAsync();
    }
}
