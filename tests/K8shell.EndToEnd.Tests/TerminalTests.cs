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
        await using var terminal = await TmuxTerminal.StartAsync(
            ["-o", "SetEnv=LC_K8SHELL_PROBE=from-the-client", .. _gateway.Options(), _gateway.Destination()], Cancellation);

        await terminal.ProveInteractiveShellAsync("LC_K8SHELL_PROBE", "from-the-client", Cancellation);
    }
}
