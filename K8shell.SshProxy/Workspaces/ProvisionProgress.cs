using System.Text;
using K8shell.Contracts.Provisioner.V1;

namespace K8shell.SshProxy.Workspaces;

/// <summary>
/// The one-line progress of a PTY shell while its workspace starts (SPEC.md §2): a spinner, the stage and the
/// percentage, redrawn in place; ✓ or ✗ when done. Every other channel prepares silently (a null display).
/// </summary>
internal sealed class ProvisionProgress(WorkspaceTerminal terminal) : IAsyncDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    private readonly CancellationTokenSource _stop = new();
    private string _stage = "Starting workspace";
    private uint _percent;
    private Task? _spinning;

    public void Start() => _spinning = SpinAsync();

    public void Report(ProvisionEvent update)
    {
        if (update.Type == ProvisionEvent.Types.Type.Progress)
        {
            _percent = update.Percent;
        }
        if (update.Stage is { Length: > 0 } stage)
        {
            _stage = stage;
        }
    }

    /// <summary>Ends the line with ✓ (ready) or ✗ and the reason.</summary>
    public async ValueTask FinishAsync(string? failure)
    {
        await StopSpinningAsync();
        await WriteAsync(failure is null ? $"\r\u001b[K✓ Workspace ready\r\n" : $"\r\u001b[K✗ {OneLine(failure)}\r\n");
        terminal.FailureShown = failure is not null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopSpinningAsync();
        _stop.Dispose();
    }

    private async Task StopSpinningAsync()
    {
        await _stop.CancelAsync();
        if (_spinning is not null)
        {
            await _spinning;
        }
    }

    private async Task SpinAsync()
    {
        try
        {
            for (var frame = 0; !_stop.IsCancellationRequested; frame++)
            {
                var percent = _percent > 0 ? $" {_percent}%" : "";
                await WriteAsync($"\r\u001b[K{Frames[frame % Frames.Length]} {_stage}…{percent}");
                await Task.Delay(100, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async ValueTask WriteAsync(string text)
    {
        try
        {
            await terminal.Channel.WriteAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None);
        }
        catch (IOException)
        {
            // The channel closed under us: nobody is left to read the progress.
        }
    }

    /// <summary>Messages are one line (reference §1.7): CR and LF collapsed.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
