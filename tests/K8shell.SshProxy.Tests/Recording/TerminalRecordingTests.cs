using K8shell.Testing;
using K8shell.SshProxy.Recording;

namespace K8shell.SshProxy.Tests.Recording;

/// <summary>Shell and exec channels recorded through the real Sessions, replayed by asciinema as the terminal showed them.</summary>
public sealed class TerminalRecordingTests(SessionsFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_shell_recording_replays_with_asciinema_byte_for_byte_with_its_resize_and_without_keystrokes()
    {
        var random = new Random(11);
        var output = TestRecorders.TerminalBytes(random, 40_000);
        var session = SessionsFixture.NewSessionId();
        var streamId = $"sh-{session}1";
        var recorders = TestRecorders.For(fixture, session, new RecordingOptions { Shell = true });

        var recording = await recorders.StartAsync(new RecordingRequest(RecordingKind.Shell, streamId, null)
        {
            Term = "xterm-256color", Columns = 100, Rows = 30, Shell = "/bin/bash", Pty = true,
        }, Cancel);
        var chunks = TestRecorders.Chunks(random, output, 700);
        for (var i = 0; i < chunks.Count; i++)
        {
            recording!.Output(chunks[i]);
            if (i == chunks.Count / 2)
            {
                recording.Input("secret\r"u8);
                recording.Resize(120, 40);
            }
        }
        await recording!.DisposeAsync();
        await recorders.DisposeAsync();

        var cast = SessionsFixture.RecordingPath(fixture.DataDirectory, "shell", streamId + ".cast");
        var lines = await File.ReadAllLinesAsync(cast, Cancel);
        Assert.Contains("\"width\":100", lines[0]);
        Assert.Contains("\"TERM\":\"xterm-256color\"", lines[0]);
        Assert.Contains(lines, line => line.Contains("\"r\", \"120x40\"") || line.Contains("\"r\",\"120x40\""));
        Assert.DoesNotContain(lines, line => line.Contains("secret"));
        Assert.Equal(output, await Asciinema.CatAsync(cast, Cancel));
    }

    [Fact]
    public async Task An_exec_recording_keeps_its_command_and_output_and_keystrokes_when_input_is_recorded()
    {
        var random = new Random(12);
        var output = TestRecorders.TerminalBytes(random, 10_000);
        var session = SessionsFixture.NewSessionId();
        var streamId = $"ex-{session}1";
        var recorders = TestRecorders.For(fixture, session, new RecordingOptions { RecordInput = true });

        // The policy's obligation decides, whatever the static configuration says.
        var recording = await recorders.StartAsync(new RecordingRequest(RecordingKind.Exec, streamId, "shell, exec") { Command = "make test" }, Cancel);
        recording!.Input("typed ahead\n"u8);
        foreach (var chunk in TestRecorders.Chunks(random, output, 300))
        {
            recording.Output(chunk);
        }
        await recording.DisposeAsync();
        await recorders.DisposeAsync();

        var cast = SessionsFixture.RecordingPath(fixture.DataDirectory, "exec", streamId + ".cast");
        var text = await File.ReadAllTextAsync(cast, Cancel);
        Assert.Contains("make test", text.Split('\n')[0]);
        Assert.Contains("\"i\", \"typed ahead\\n\"", text.Replace("\"i\",\"", "\"i\", \""));
        Assert.Equal(output, await Asciinema.CatAsync(cast, Cancel));
    }

    [Theory]
    [InlineData("Shell", null, true, true)]
    [InlineData("Shell", null, false, false)]
    [InlineData("Shell", "none", true, false)]
    [InlineData("Exec", "shell,exec", false, true)]
    [InlineData("DirectTcpip", " shell , direct-tcpip ", false, true)]
    [InlineData("DirectTcpip", "tcpip", true, false)]
    [InlineData("Sftp", "sftp", false, true)]
    public void The_obligation_decides_when_the_policy_gave_one_and_the_configuration_otherwise(string kind, string? obligation, bool configured, bool recorded)
    {
        var options = new RecordingOptions { Shell = configured, Exec = configured, Sftp = configured, DirectTcpip = configured };

        Assert.Equal(recorded, RecordObligation.Records(Enum.Parse<RecordingKind>(kind), obligation, options));
    }

    [Fact]
    public async Task A_channel_not_to_be_recorded_gets_no_recording()
    {
        var recorders = TestRecorders.For(fixture, SessionsFixture.NewSessionId(), new RecordingOptions { Shell = true });

        Assert.Null(await recorders.StartAsync(new RecordingRequest(RecordingKind.Shell, "sh-x1", "none"), Cancel));
    }
}
