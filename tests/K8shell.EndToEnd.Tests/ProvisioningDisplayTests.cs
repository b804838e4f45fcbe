using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// What a person sees while their workspace starts (SPEC.md §2): on a PTY shell a progress line, then the
/// blueprint's splash, and Ctrl+C gives up waiting; a command without a terminal gets only its own output.
/// The blueprint's init script takes 10 s, so the workspace is still starting when the test looks.
/// </summary>
public sealed class ProvisioningDisplayTests(StackFixture stack)
{
    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string UserString => $"{stack.User}~{AppHostStack.SlowBlueprint}";

    [Fact]
    public async Task A_pty_shell_shows_the_progress_ctrl_c_gives_up_and_the_next_login_gets_the_splash()
    {
        await using (var impatient = await TmuxTerminal.StartAsync([.. _gateway.Options(), _gateway.Destination(UserString)], Cancellation))
        {
            await impatient.WaitForTextAsync("Initializing…", Cancellation); // the spinner's line, at the init scripts' stage
            await impatient.PressAsync("C-c", Cancellation);
            Assert.NotEqual(0, await impatient.ExitStatusAsync(Cancellation));
            var screen = await impatient.ScreenAsync(Cancellation);
            Assert.Contains("✗ cancelled", screen);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(screen, "cancelled")); // said once, on the progress line
        }

        // The next login waits for the workspace and lands in the shell after the progress and the splash.
        await using var patient = await TmuxTerminal.StartAsync([.. _gateway.Options(), _gateway.Destination(UserString)], Cancellation);
        await patient.WaitForPromptAsync(Cancellation);
        var shown = await patient.ScreenAsync(Cancellation);
        Assert.Contains("✓ Workspace ready", shown);
        Assert.Contains($"Welcome to the slow workspace, {stack.User}.", shown);
        Assert.True(shown.IndexOf("✓ Workspace ready", StringComparison.Ordinal) < shown.IndexOf("Welcome", StringComparison.Ordinal), shown);

        // Without a terminal, nothing but the command's own output.
        var (exitCode, output, errors) = await _gateway.SshAsync("echo plain", UserString);
        Assert.Equal((0, "plain\n", ""), (exitCode, output, errors));
    }
}
