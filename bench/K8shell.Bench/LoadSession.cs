using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace K8shell.Bench;

/// <summary>
/// One interactive session as a person has it (SSH.NET: a PTY and a shell), that types single keys and times each one
/// until the terminal echoes it back. The echo is seen on SSH.NET's receive thread, so no thread waits on a read.
/// </summary>
internal sealed partial class LoadSession : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly SshClient _client;
    private readonly ShellStream _shell;
    private readonly TaskCompletionSource _prompt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _beforePrompt = new();
    private TaskCompletionSource<long>? _echo;
    private byte _expected;

    private LoadSession(SshClient client, ShellStream shell)
    {
        _client = client;
        _shell = shell;
        // Output that came before the handler is in the stream's buffer: read it, then the handler takes over.
        lock (_beforePrompt)
        {
            _shell.DataReceived += Received;
            if (_shell.DataAvailable)
            {
                _beforePrompt.Append(_shell.Read());
                CheckForPrompt();
            }
        }
    }

    /// <summary>A logged-in session whose shell shows its prompt (the output so far ends in <c>$</c> or <c>#</c>).</summary>
    public static async Task<LoadSession> OpenAsync(SshTarget target, string? user, CancellationToken cancellationToken)
    {
        user ??= target.User;
        var client = new SshClient(new ConnectionInfo("127.0.0.1", target.Port, user, new PrivateKeyAuthenticationMethod(user, new PrivateKeyFile(target.KeyFile))));
        try
        {
            await client.ConnectAsync(cancellationToken);
            var session = new LoadSession(client, client.CreateShellStream("xterm", 80, 24, 0, 0, 4096));
            try
            {
                await session._prompt.Task.WaitAsync(Patience, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"no prompt within {Patience.TotalSeconds} s; the output ends: {session.OutputTail()}");
            }
            return session;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Types <paramref name="keys"/> keys about a second apart, as a person does; each key's echo time goes to <paramref name="latencies"/>.</summary>
    public async Task TypeAsync(int keys, Action<TimeSpan> latencies, CancellationToken cancellationToken)
    {
        for (var key = 0; key < keys; key++)
        {
            await Task.Delay(Random.Shared.Next(500, 1500), cancellationToken);
            var echo = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _expected = (byte)('a' + key % 26);
            Volatile.Write(ref _echo, echo);
            var typed = Stopwatch.GetTimestamp();
            _shell.Write([_expected]);
            _shell.Flush();
            latencies(Stopwatch.GetElapsedTime(typed, await echo.Task.WaitAsync(Patience, cancellationToken)));
        }
        _shell.Write("\u0015exit\n"); // Ctrl+U drops the typed line; the shell ends
        _shell.Flush();
    }

    private void Received(object? sender, ShellDataEventArgs data)
    {
        if (!_prompt.Task.IsCompleted)
        {
            lock (_beforePrompt)
            {
                _beforePrompt.Append(Encoding.UTF8.GetString(data.Data));
                CheckForPrompt();
            }
        }
        if (Volatile.Read(ref _echo) is { } waiting && data.Data.AsSpan().Contains(_expected))
        {
            waiting.TrySetResult(Stopwatch.GetTimestamp());
        }
    }

    private void CheckForPrompt()
    {
        var text = ControlSequence().Replace(_beforePrompt.ToString(), "").TrimEnd();
        if (text.EndsWith('$') || text.EndsWith('#'))
        {
            _prompt.TrySetResult();
        }
    }

    private string OutputTail()
    {
        lock (_beforePrompt)
        {
            var text = _beforePrompt.ToString();
            return text.Length > 200 ? text[^200..] : text;
        }
    }

    /// <summary>Terminal escapes (CSI, OSC) a prompt may carry, e.g. bracketed paste or a window title.</summary>
    [GeneratedRegex(@"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]")]
    private static partial Regex ControlSequence();

    public void Dispose()
    {
        _shell.Dispose();
        _client.Dispose();
    }
}
