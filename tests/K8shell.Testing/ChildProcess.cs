using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace K8shell.Testing;

/// <summary>
/// A real child process whose output the test can wait on and read back, stopped with SIGTERM like
/// Kubernetes stops a pod. Disposing kills whatever is still running so no test leaves orphans.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openStreams = 2;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process printed so far, stdout and stderr interleaved as they arrived.</summary>
    public string Output => string.Join('\n', _lines);

    public static ChildProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for a line matching <paramref name="predicate"/> (already printed or still to come).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            var earlier = _lines.FirstOrDefault(predicate);
            if (earlier is not null)
            {
                return earlier;
            }
            _waiters.Add((predicate, found));
        }

        var finished = await Task.WhenAny(found.Task, _outputClosed.Task, Task.Delay(timeout, cancellationToken));
        if (finished == found.Task)
        {
            return await found.Task;
        }
        cancellationToken.ThrowIfCancellationRequested();
        var why = finished == _outputClosed.Task ? "it exited" : $"{timeout.TotalSeconds:F0} s passed";
        throw new TimeoutException($"{Name}: the expected line never came ({why}). Output:\n{Output}");
    }

    /// <summary>Sends SIGTERM (or <paramref name="signal"/>) and waits for a clean exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan grace, int signal = Signals.SigTerm)
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process, signal);
        }
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            var inherited = Signals.IgnoredHere(signal)
                ? $" This test process ignores signal {signal} and {Name} inherited that (a shell's background job ignores SIGINT; test.sh restores it)."
                : "";
            throw new TimeoutException($"{Name} did not exit within {grace.TotalSeconds:F0} s of signal {signal}.{inherited} Output:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>Waits for the process to end on its own.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} still runs after {timeout.TotalSeconds:F0} s. Output:\n{Output}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
            {
                _outputClosed.TrySetResult();
            }
            return;
        }
        lock (_waiters)
        {
            _lines.Enqueue(line);
            foreach (var waiter in _waiters.Where(w => w.Predicate(line)).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }
}
