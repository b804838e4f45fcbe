namespace K8shell.SshProxy.Workspaces;

/// <summary>
/// Reads a PTY shell's keystrokes while its workspace starts: Ctrl+C (0x03) cancels (SPEC.md §2), anything else is
/// kept for the shell, which gets it first once it runs.
/// </summary>
internal sealed class TerminalInterrupt(WorkspaceTerminal terminal) : IAsyncDisposable
{
    private const byte CtrlC = 0x03;

    private readonly CancellationTokenSource _interrupted = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly MemoryStream _typed = new();
    private Task? _reading;

    /// <summary>Cancelled when the person pressed Ctrl+C.</summary>
    public CancellationToken Interrupted => _interrupted.Token;

    public void Start() => _reading = ReadAsync();

    private async Task ReadAsync()
    {
        var buffer = new byte[256];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await terminal.Channel.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }
                var interrupt = Array.IndexOf(buffer, CtrlC, 0, read);
                if (interrupt >= 0)
                {
                    await _interrupted.CancelAsync();
                    return;
                }
                _typed.Write(buffer, 0, read);
            }
        }
        catch (Exception stopped) when (stopped is OperationCanceledException or IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reading is not null)
        {
            await _reading;
        }
        terminal.TypedAhead = _typed.ToArray();
        _stop.Dispose();
        _interrupted.Dispose();
    }
}
