using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>An interactive PTY shell through the gateway, driven in a real terminal (tmux), as a person uses it.</summary>
public sealed class TerminalTests(StackFixture stack)
{
    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_pty_shell_has_its_terminal_follows_resizes_takes_ctrl_c_and_reports_its_exit()
    {
        await using var terminal = await TmuxTerminal.StartAsync([.. _gateway.Options(), _gateway.Destination()], Cancellation);

        await terminal.WaitForPromptAsync(Cancellation);
        await terminal.TypeLineAsync("echo \"[$(tty | cut -c1-9)] [$(stty size)] [$TERM]\"", Cancellation);
        await terminal.WaitForLineAsync("[/dev/pts/] [24 80] [xterm-256color]", Cancellation);

        await terminal.ResizeAsync(100, 30, Cancellation);
        await Task.Delay(300, Cancellation);
        await terminal.TypeLineAsync("echo \"[$(stty size)]\"", Cancellation);
        await terminal.WaitForLineAsync("[30 100]", Cancellation);

        await terminal.TypeLineAsync("sleep 50; echo slept", Cancellation);
        await Task.Delay(300, Cancellation);
        await terminal.PressAsync("C-c", Cancellation);
        await terminal.TypeLineAsync("echo interrupted", Cancellation);
        await terminal.WaitForLineAsync("interrupted", Cancellation);
        Assert.DoesNotContain("slept", (await terminal.ScreenAsync(Cancellation)).Split('\n').Select(line => line.TrimEnd()));

        await terminal.TypeLineAsync("exit 7", Cancellation);
        Assert.Equal(7, await terminal.ExitStatusAsync(Cancellation));
    }
}
