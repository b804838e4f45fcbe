using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Sessions.V1;
using K8shell.Testing;
using static K8shell.Sessions.Tests.StreamFrames;

namespace K8shell.Sessions.Tests;

/// <summary>
/// The replay page as a person uses it: served by the real Sessions, opened in Debian's headless Chromium, listing
/// a session the proxy's calls recorded and replaying its shell recording with the vendored asciinema-player. The
/// screenshot is read back by OCR, so the test sees the terminal text on screen, not only in the DOM.
/// </summary>
public sealed class ReplayPageTests(RecordingStreamsFixture fixture)
{
    private const string Marker = "replayed-by-k8shell";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_page_lists_the_session_and_replays_its_shell_recording_on_screen()
    {
        var (session, workspace, recordingId) = await RecordSessionAsync();
        var page = new Uri(fixture.Sessions.HttpEndpoint, $"/#token={fixture.CallerToken}");

        var listed = await HeadlessChromium.DumpDomAsync(page, Cancel);

        var row = RowOf(listed, session);
        Assert.True(row is not null, $"the page lists no row for {session}:\n{listed}");
        foreach (var cell in new[] { "alice", workspace, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", "203.0.113.7", "5m 0s", "1.2 KiB", "3.0 MiB", "pt sh", "shell" })
        {
            Assert.Contains($">{cell}<", row);
        }
        Assert.DoesNotContain(fixture.CallerToken, listed);

        var screenshot = Path.Combine(ArtifactsFolder(), $"replay-{session}.png");
        await HeadlessChromium.ScreenshotAsync(new Uri(fixture.Sessions.HttpEndpoint, $"/#token={fixture.CallerToken}&replay={recordingId}"), screenshot, Cancel);
        var onScreen = await TerminalOcr.ReadAsync(screenshot, Cancel);
        // The title's "·" separators are any mark to OCR.
        Assert.True(Regex.IsMatch(onScreen, $@"alice \S {workspace} \S shell")
            && onScreen.Contains($"echo {Marker}", StringComparison.Ordinal) && onScreen.Contains($"{Marker}-done", StringComparison.Ordinal),
            $"the replayed terminal is not on the screenshot ({screenshot}); OCR read:\n{onScreen}");
    }

    [Fact]
    public async Task Without_a_credential_the_page_asks_for_one_and_the_api_refuses()
    {
        var page = await HeadlessChromium.DumpDomAsync(fixture.Sessions.HttpEndpoint, Cancel);

        Assert.Contains("Sign in with an access token", page);
        Assert.Contains("<form id=\"credential\">", page);
        Assert.Contains("<table id=\"sessions\" hidden=\"\">", page);
        using var anonymous = new HttpClient { BaseAddress = fixture.Sessions.HttpEndpoint };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/sessions", Cancel)).StatusCode);
    }

    [Fact]
    public async Task The_page_and_the_player_are_served_with_a_strict_content_security_policy()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sessions.HttpEndpoint };
        foreach (var path in new[] { "/", "/sessions.js", "/vendor/asciinema-player.min.js", "/vendor/asciinema-player.css" })
        {
            using var response = await http.GetAsync(path, Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {response.StatusCode}");
            Assert.StartsWith("default-src 'none'; script-src 'self' 'wasm-unsafe-eval';", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }
    }

    /// <summary>A session as the proxy reports it, with a shell recording of one command; its ID, workspace and recording ID.</summary>
    private async Task<(string Session, string Workspace, string RecordingId)> RecordSessionAsync()
    {
        var session = NewSessionId();
        const string workspace = "ws-replay"; // letters only: OCR reads a hex "0" as "O" in the player's title
        using var channel = GrpcChannels.WithBearer(fixture.Sessions.GrpcEndpoint!, fixture.CallerToken);
        var sessions = new SessionService.SessionServiceClient(channel);
        await sessions.UpsertSessionAsync(new UpsertSessionRequest
        {
            Session = new Session
            {
                SessionId = session, Username = "alice", Workspace = workspace, Blueprint = "dev", ProxyId = "proxy-1",
                Client = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", ClientIp = "203.0.113.7", ClientPort = 50022,
                StartTime = Timestamp.FromDateTimeOffset(Start),
            },
        }, cancellationToken: Cancel);

        var stream = $"sh-{session}1";
        List<ShellRecordingFrame> frames =
        [
            ShellHeader(Origin(session, stream, await fixture.UserTokenAsync("alice"))),
            ShellOutput(1, 100, Encoding.UTF8.GetBytes("alice@dev:~$ ")),
            ShellOutput(2, 600, Encoding.UTF8.GetBytes($"echo {Marker}\r\n{Marker}-done\r\nalice@dev:~$ ")),
        ];
        var ack = await SendAsync(fixture.Recordings().StreamShellRecording(cancellationToken: Cancel), frames);

        await sessions.EndSessionAsync(new EndSessionRequest
        {
            SessionId = session, EndTime = Timestamp.FromDateTimeOffset(Start.AddMinutes(5)),
            BytesIn = 1234, BytesOut = 3 * 1024 * 1024, Operations = { "sh", "pt" },
        }, cancellationToken: Cancel);
        return (session, workspace, ack.RecordingId);
    }

    /// <summary>The table row the page made for <paramref name="session"/>, as HTML.</summary>
    private static string? RowOf(string dom, string session)
    {
        var start = dom.IndexOf($"<tr data-session-id=\"{session}\">", StringComparison.Ordinal);
        return start < 0 ? null : dom[start..(dom.IndexOf("</tr>", start, StringComparison.Ordinal) + 5)];
    }

    /// <summary>Screenshots stay in the test results for a person to look at (TestResults/ is not committed).</summary>
    private static string ArtifactsFolder() =>
        Directory.CreateDirectory(Path.Combine(RepositoryPaths.Root, "TestResults", "replay-page")).FullName;
}
