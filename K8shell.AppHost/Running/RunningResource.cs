using System.Diagnostics;
using System.Runtime.InteropServices;

namespace K8shell.AppHost.Running;

/// <summary>A started resource: its process, its log lines (prefixed with its name), its health.</summary>
internal sealed partial class RunningResource
{
    private const int SigTerm = 15;
    private const int KeptLines = 20;

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private RunningResource(LocalProcess resource, Process process)
    {
        Resource = resource;
        _process = process;
    }

    public LocalProcess Resource { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public Task Exited => _process.WaitForExitAsync();

    /// <summary>The last lines it printed, to show why it died.</summary>
    public IReadOnlyList<string> LastLines
    {
        get { lock (_lastLines) { return [.. _lastLines]; } }
    }

    public static RunningResource Start(LocalProcess resource, LogPrinter log)
    {
        // setsid: a terminal's Ctrl+C reaches only the AppHost, which then stops resources in reverse order.
        var startInfo = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = resource.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        startInfo.ArgumentList.Add(resource.Command);
        foreach (var argument in resource.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in resource.Environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var running = new RunningResource(resource, process);
        process.OutputDataReceived += (_, e) => running.OnLine(e.Data, log);
        process.ErrorDataReceived += (_, e) => running.OnLine(e.Data, log);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Waits until its health probe says yes (at once without one); fails if the process dies first.</summary>
    public async Task WaitUntilHealthyAsync(HttpClient http, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var ready = Resource.Health is { } probe ? PollAsync(http, probe, deadline.Token) : Task.CompletedTask;
        var first = await Task.WhenAny(ready, Exited);
        if (first == Exited)
        {
            throw new ResourceFailedException(this, $"exited with code {ExitCode} before it was healthy");
        }
        try
        {
            await ready;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ResourceFailedException(this, $"not healthy after {timeout.TotalSeconds:F0} s");
        }
    }

    /// <summary>Its stop command if it has one (a container's engine stops it), then SIGTERM, up to <paramref name="grace"/> to exit, then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        if (Resource.StopCommand is { Count: > 0 } stop)
        {
            // Its own grace period is the engine's (stop -t): once it returns the container is gone and the client exits.
            await new HostCommand(stop[0], new Dictionary<string, string?>()).RunAsync(stop.Skip(1), CancellationToken.None);
        }
        _ = Kill(_process.Id, SigTerm);
        if (await Task.WhenAny(Exited, Task.Delay(grace)) != Exited)
        {
            _process.Kill(entireProcessTree: true);
            await Exited;
        }
    }

    private static async Task PollAsync(HttpClient http, HealthProbe probe, CancellationToken cancellationToken)
    {
        while (!await probe(http, cancellationToken))
        {
            await Task.Delay(200, cancellationToken);
        }
    }

    private void OnLine(string? line, LogPrinter log)
    {
        if (line is null)
        {
            return;
        }
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }
        log.Write(Resource.Name, line);
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}

/// <summary>A resource died or never became healthy; carries its last log lines.</summary>
internal sealed class ResourceFailedException(RunningResource resource, string what)
    : Exception($"{resource.Resource.Name} {what}. Last lines:\n  " + string.Join("\n  ", resource.LastLines))
{
    public RunningResource Resource { get; } = resource;
}
