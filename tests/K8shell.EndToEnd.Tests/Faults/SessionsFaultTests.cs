using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// Sessions down (SPEC.md §5, <c>recording.failMode</c>): open, a recorded shell goes on and its recording is whole once
/// Sessions is back; closed, a shell that must be recorded is refused while it is down, and nothing else is.
/// </summary>
public sealed partial class FaultStackTests
{
    [Fact]
    public async Task Sessions_down_with_fail_mode_open_a_recorded_shell_goes_on_and_its_recording_resumes()
    {
        var marker = Guid.NewGuid().ToString("N");
        await using (var terminal = await TmuxTerminal.StartAsync([.. _gateway.Options(), _gateway.Destination()], Cancellation))
        {
            await terminal.TypeCommandAsync($"echo before-{marker}", Cancellation);
            await terminal.WaitForLineAsync($"before-{marker}", Cancellation);

            await using (var outage = await OutageOfAsync("sessions"))
            {
                await terminal.TypeCommandAsync($"echo during-{marker}", Cancellation);
                await terminal.WaitForLineAsync($"during-{marker}", Cancellation);
                await outage.EndAsync();
            }

            await terminal.TypeCommandAsync($"echo after-{marker}", Cancellation);
            await terminal.WaitForLineAsync($"after-{marker}", Cancellation);
            await terminal.TypeCommandAsync("exit 4", Cancellation);
            Assert.Equal(4, await terminal.ExitStatusAsync(Cancellation));
        }

        // What the shell printed before, during and after the outage, in order, and no gap: nothing was dropped.
        var recording = await SessionRecordings.CastShowingAsync(stack, $"after-{marker}", TimeSpan.FromSeconds(30));
        var replayed = System.Text.Encoding.UTF8.GetString(await Asciinema.CatAsync(recording, Cancellation)).ReplaceLineEndings("\n");
        var printed = new[] { "before", "during", "after" }.Select(when => replayed.IndexOf($"\n{when}-{marker}", StringComparison.Ordinal)).ToList();
        Assert.True(printed.All(at => at >= 0) && printed.SequenceEqual(printed.Order()), $"the replay lacks a line or has them out of order ({string.Join(", ", printed)}):\n{replayed}");
        Assert.DoesNotContain("not recorded", File.ReadAllText(recording), StringComparison.Ordinal); // Sessions' gap marker
    }

    [Fact]
    public async Task Sessions_down_with_fail_mode_closed_a_shell_that_must_be_recorded_is_refused()
    {
        await RestartGatewayAsync(failMode: "closed");
        try
        {
            await using (var outage = await OutageOfAsync("sessions"))
            {
                using var shell = _gateway.StartPiped(null, "-tt"); // a PTY shell: the policy records those
                try
                {
                    await shell.StandardInput.WriteLineAsync("echo unrecorded; exit 0".AsMemory(), Cancellation);
                    await shell.StandardInput.FlushAsync(Cancellation);
                    var (exitCode, errors) = await shell.EndedAsync(TimeSpan.FromSeconds(60));
                    var output = await shell.StandardOutput.ReadToEndAsync(Cancellation);
                    // 255, as ssh exits when it could not run the command: the shell never ran, and a retry later may work.
                    Assert.True(exitCode == 255, $"a shell that cannot be recorded exited {exitCode}: {output} {errors}");
                    Assert.Contains("k8shell: recording is required and the session service is unavailable; try again later\r\n", output + errors);
                    Assert.DoesNotContain("unrecorded", output);
                }
                finally
                {
                    shell.KillIfRunning();
                }

                // What needs no recording goes on: an exec is not recorded by this policy.
                var (exec, execOutput, execErrors) = await _gateway.SshAsync("echo not-recorded");
                Assert.True(exec == 0 && execOutput == "not-recorded\n", $"an exec while Sessions is down exited {exec}: {execOutput} {execErrors}");
                await outage.EndAsync();
            }

            using var recorded = _gateway.StartPiped(null, "-tt");
            try
            {
                await recorded.StandardInput.WriteLineAsync("exit 5".AsMemory(), Cancellation);
                await recorded.StandardInput.FlushAsync(Cancellation);
                var (exitCode, errors) = await recorded.EndedAsync(TimeSpan.FromSeconds(60));
                Assert.True(exitCode == 5, $"a recorded shell after Sessions came back exited {exitCode}: {errors}");
            }
            finally
            {
                recorded.KillIfRunning();
            }
        }
        finally
        {
            await RestartGatewayAsync(failMode: "open");
        }
    }

    /// <summary>The gateway stopped and started again with <c>SshProxy:Recording:FailMode</c> <paramref name="failMode"/>.</summary>
    private async Task RestartGatewayAsync(string failMode)
    {
        await using var restart = await OutageOfAsync("ssh-proxy");
        stack.RecordingFailMode = failMode;
    }
}
