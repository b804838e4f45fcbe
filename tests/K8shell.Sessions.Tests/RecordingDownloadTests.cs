using System.Net;
using System.Text.Json;
using K8shell.Contracts.Sessions.V1;
using K8shell.Testing;
using static K8shell.Sessions.Tests.StreamFrames;

namespace K8shell.Sessions.Tests;

/// <summary><c>GET /api/recordings/{id}</c> on the real Sessions: the file the catalog names, for callers Sessions accepts.</summary>
public sealed class RecordingDownloadTests(RecordingStreamsFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_completed_recording_downloads_as_its_file_with_its_type_and_name()
    {
        var session = NewSessionId();
        var token = await fixture.UserTokenAsync("alice");
        var client = fixture.Recordings();
        var cast = await SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(Origin(session, $"sh-{session}1", token)), ShellOutput(1, 5, "hi\r\n"u8.ToArray())]);
        var pcap = await SendAsync(client.StreamTcpipRecording(cancellationToken: Cancel),
            [TcpipHeader(Origin(session, $"pf-{session}2", token), "127.0.0.1", 40000, "10.0.0.1", 443), TcpipChunk(1, 5, [1, 2, 3], Direction.Input)]);
        await client.EndRecordingSessionAsync(new EndRecordingSessionRequest { SessionId = session }, cancellationToken: Cancel);
        using var http = Http(fixture.CallerToken);

        using var castResponse = await http.GetAsync($"/api/recordings/{cast.RecordingId}", Cancel);
        using var pcapResponse = await http.GetAsync($"/api/recordings/{pcap.RecordingId}", Cancel);

        Assert.Equal(HttpStatusCode.OK, castResponse.StatusCode);
        Assert.Equal("application/x-asciicast", castResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("attachment", $"sh-{session}1.cast"), (castResponse.Content.Headers.ContentDisposition?.DispositionType, castResponse.Content.Headers.ContentDisposition?.FileName));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(fixture.DataDirectory, "recordings", "alice", "shell", $"sh-{session}1.cast"), Cancel),
            await castResponse.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal(HttpStatusCode.OK, pcapResponse.StatusCode);
        Assert.Equal("application/vnd.tcpdump.pcap", pcapResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(fixture.DataDirectory, "recordings", "alice", "tcpip", $"{session}_10.0.0.1_443.pcap"), Cancel),
            await pcapResponse.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task A_recording_being_written_downloads_as_far_as_it_is_saved()
    {
        var session = NewSessionId();
        var client = fixture.Recordings();
        var header = ShellHeader(Origin(session, $"sh-{session}1", await fixture.UserTokenAsync("bob")));
        using var call = client.StreamShellRecording(cancellationToken: Cancel);
        await call.RequestStream.WriteAsync(header, Cancel);
        await call.RequestStream.WriteAsync(ShellOutput(1, 5, "live\r\n"u8.ToArray()), Cancel);
        Assert.True(await K8shell.Testing.Eventually.WaitAsync(async () =>
            (await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = $"sh-{session}1" }, cancellationToken: Cancel)).LastSequence == 1,
            TimeSpan.FromSeconds(30), Cancel));
        var id = await RecordingIdOfLiveStreamAsync(session);
        using var http = Http(fixture.CallerToken);

        var body = await http.GetByteArrayAsync($"/api/recordings/{id}", Cancel);

        var lines = System.Text.Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("live\r\n", JsonDocument.Parse(lines[1]).RootElement[2].GetString());
    }

    [Fact]
    public async Task Unknown_recordings_gone_files_and_callers_without_a_credential_are_refused()
    {
        var session = NewSessionId();
        var ack = await SendAsync(fixture.Recordings().StreamShellRecording(cancellationToken: Cancel),
            [ShellHeader(Origin(session, $"sh-{session}1", await fixture.UserTokenAsync("alice"))), ShellOutput(1, 5, "x"u8.ToArray())]);
        File.Delete(Path.Combine(fixture.DataDirectory, "recordings", "alice", "shell", $"sh-{session}1.cast"));
        using var http = Http(fixture.CallerToken);
        using var anonymous = Http(null);
        using var wrong = Http("not-a-caller");

        using var unknown = await http.GetAsync("/api/recordings/AAAAAAAAAAAAAAAAAAAAAA", Cancel);
        using var gone = await http.GetAsync($"/api/recordings/{ack.RecordingId}", Cancel);
        using var noCredential = await anonymous.GetAsync($"/api/recordings/{ack.RecordingId}", Cancel);
        using var badCredential = await wrong.GetAsync($"/api/recordings/{ack.RecordingId}", Cancel);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("no recording AAAAAAAAAAAAAAAAAAAAAA", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal($"the file of recording {ack.RecordingId} is gone", JsonDocument.Parse(await gone.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, noCredential.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, badCredential.StatusCode);
    }

    /// <summary>The recording ID of a stream still being written (no ack yet), as the session's record lists it.</summary>
    private async Task<string> RecordingIdOfLiveStreamAsync(string session)
    {
        var records = new SessionService.SessionServiceClient(K8shell.Testing.GrpcChannels.WithBearer(fixture.Sessions.GrpcEndpoint!, fixture.CallerToken));
        await records.UpsertSessionAsync(new UpsertSessionRequest { Session = new Session { SessionId = session, Username = "bob" } }, cancellationToken: Cancel);
        using var http = Http(fixture.CallerToken);
        using var record = JsonDocument.Parse(await http.GetStringAsync($"/api/sessions/{session}", Cancel));
        var recording = Assert.Single(record.RootElement.GetProperty("recordings").EnumerateArray());
        Assert.Equal(($"sh-{session}1", "shell", "asciinema", JsonValueKind.Null),
            (recording.GetProperty("streamId").GetString(), recording.GetProperty("kind").GetString(), recording.GetProperty("format").GetString(),
             recording.GetProperty("endedAt").ValueKind));
        return recording.GetProperty("recordingId").GetString()!;
    }

    private HttpClient Http(string? token) => SessionsProcess.Http(fixture.Sessions, token);
}
