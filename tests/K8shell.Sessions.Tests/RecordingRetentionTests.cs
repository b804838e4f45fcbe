using K8shell.Contracts.Sessions.V1;
using K8shell.Testing;
using static K8shell.Sessions.Tests.StreamFrames;

namespace K8shell.Sessions.Tests;

/// <summary>
/// Recordings older than <c>Sessions:Retention:MaxAge</c> (here two seconds) go, file and row; a file still being
/// written stays whatever the age of the streams in it that completed.
/// </summary>
public sealed class RecordingRetentionTests(RecordingStreamsFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Completed_recordings_past_the_age_are_deleted_and_a_file_still_written_is_kept()
    {
        using var scratch = new ScratchFolder();
        await using var sessions = await fixture.StartSessionsAsync(scratch.Path, new Dictionary<string, string?>
        {
            ["Sessions__Retention__MaxAge"] = "00:00:02",
            ["Sessions__Retention__Interval"] = "00:00:00.250",
        });
        var client = fixture.Recordings(sessions);
        var token = await fixture.UserTokenAsync("alice");
        var session = NewSessionId();
        // A capture with one forward completed and one still open (its call cut, resumable).
        await SendAsync(client.StreamTcpipRecording(cancellationToken: Cancel),
            [TcpipHeader(Origin(session, $"pf-{session}1", token), "127.0.0.1", 50001, "10.0.0.9", 80), TcpipChunk(1, 0, "done"u8.ToArray(), Direction.Input)]);
        await SendAndCutAsync(client.StreamTcpipRecording(cancellationToken: Cancel),
            [TcpipHeader(Origin(session, $"pf-{session}2", token), "127.0.0.1", 50002, "10.0.0.9", 80), TcpipChunk(1, 0, "open"u8.ToArray(), Direction.Input)],
            async () => (await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = $"pf-{session}2" }, cancellationToken: Cancel)).LastSequence == 1);
        // Completed after the first forward: once it is deleted, a sweep ran with the first forward past the age too.
        var witness = NewSessionId();
        await SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(Origin(witness, $"sh-{witness}1", token)), ShellOutput(1, 0, "old"u8.ToArray())]);
        var capture = Path.Combine(scratch.Path, "recordings", "alice", "tcpip", $"{session}_10.0.0.9_80.pcap");
        var shell = Path.Combine(scratch.Path, "recordings", "alice", "shell", $"sh-{witness}1.cast");

        // Its row goes after its file: once the row is gone (the stream unknown again), so is the file.
        Assert.True(await Eventually.WaitAsync(async () =>
            !(await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = $"sh-{witness}1" }, cancellationToken: Cancel)).Completed,
            TimeSpan.FromSeconds(30), Cancel), "the completed shell recording was never deleted");

        Assert.False(File.Exists(shell), "the deleted shell recording's file is still there");
        Assert.True(File.Exists(capture), "the capture still being written was deleted");
        var completed = await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = $"pf-{session}1" }, cancellationToken: Cancel);
        Assert.Equal((1ul, true), (completed.LastSequence, completed.Completed));

        // Once the connection's recordings end, the capture is complete, and goes when it is old enough.
        await client.EndRecordingSessionAsync(new EndRecordingSessionRequest { SessionId = session }, cancellationToken: Cancel);
        Assert.True(await Eventually.WaitAsync(() => !File.Exists(capture), TimeSpan.FromSeconds(30), Cancel), "the ended capture was never deleted");
    }

    [Fact]
    public async Task Recordings_of_a_session_that_ended_without_ending_them_are_ended_and_later_deleted()
    {
        using var store = new RecordsStore("sqlite", new Dictionary<string, string?>());
        await using var sessions = await fixture.StartSessionsAsync(store.DataDirectory, new Dictionary<string, string?>
        {
            ["Sessions__Retention__MaxAge"] = "00:00:10",
            ["Sessions__Retention__Interval"] = "00:00:00.250",
            ["Sessions__Recording__IdleTimeout"] = "00:00:01",
        });
        var client = fixture.Recordings(sessions);
        var session = NewSessionId();
        var stream = $"sh-{session}1";
        await SendAndCutAsync(client.StreamShellRecording(cancellationToken: Cancel),
            [ShellHeader(Origin(session, stream, await fixture.UserTokenAsync("alice"))), ShellOutput(1, 0, [.. "cut "u8, 0xE2, 0x9C])],
            async () => (await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = stream }, cancellationToken: Cancel)).LastSequence == 1);
        var cast = Path.Combine(store.DataDirectory, "recordings", "alice", "shell", $"{stream}.cast");

        // The proxy vanished: the session record was ended (by the janitor), EndRecordingSession never came.
        await StoredSessions.InsertAsync(store, [new StoredSession(session, "alice", "alice~dev", StoredSessions.Now, StoredSessions.Now, StoredSessions.Now)]);

        Assert.True(await Eventually.WaitAsync(async () =>
            (await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = stream }, cancellationToken: Cancel)).Completed,
            TimeSpan.FromSeconds(30), Cancel), "the recording of the ended session was never ended");
        Assert.Equal("\uFFFD", System.Text.Json.JsonDocument.Parse(File.ReadLines(cast).Last()).RootElement[2].GetString());
        Assert.True(await Eventually.WaitAsync(() => !File.Exists(cast), TimeSpan.FromSeconds(60), Cancel), "the ended recording was never deleted");
    }
}
