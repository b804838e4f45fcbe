using System.Runtime.InteropServices;

namespace K8shell.AppHost.Running;

/// <summary>
/// Runs the model as local processes until Ctrl+C or SIGTERM: each resource starts once everything it waits for
/// is healthy, then the runner waits for its own health. Stops them in reverse start order. A resource that dies
/// or never gets healthy is reported with its last lines and takes the stack down: nothing restarts silently.
/// </summary>
internal sealed class LocalRunner(DistributedApplication app)
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly LogPrinter _log = new();
    private readonly List<RunningResource> _running = [];
    private readonly CancellationTokenSource _starting = new();

    public async Task<int> RunAsync()
    {
        using var stopping = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var startingOrStopping = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, _starting.Token);
        try
        {
            var processes = LocalPlan.Create(app);
            var width = processes.Max(process => process.Name.Length);
            foreach (var process in processes)
            {
                _log.Register(process.Name, width);
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await StartAllAsync(processes, http, startingOrStopping.Token);
            var endpointsFile = await EndpointsFile.WriteAsync(app.ExecutionContext.DataDirectory, processes);
            await new RunSummary(_log).PrintAsync(processes, endpointsFile);

            var died = await Task.WhenAny(_running.Select(async running => { await running.Exited; return running; }))
                .WaitAsync(stopping.Token);
            throw new ResourceFailedException(await died, $"exited with code {(await died).ExitCode}");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            _log.Say("Stopping K8shell...");
            return await StopAllAsync(0);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // A resource that died (with its last lines), or a model that cannot run here (not built, no nats-server).
            _log.Say($"✗ {failure.Message}");
            return await StopAllAsync(1);
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
    }

    /// <summary>Starts every resource as soon as what it waits for is healthy; the first failure cancels the rest.</summary>
    private async Task StartAllAsync(IReadOnlyList<LocalProcess> processes, HttpClient http, CancellationToken cancellationToken)
    {
        var healthy = new Dictionary<string, Task>();
        foreach (var process in DependencyOrder(processes))
        {
            var dependencies = process.WaitsFor.Select(name => healthy[name]).ToArray();
            healthy[process.Name] = StartWhenReadyAsync(process, dependencies, http, cancellationToken);
        }
        try
        {
            await Task.WhenAll(healthy.Values);
        }
        catch
        {
            // WhenAll rethrows the first failure in start order; the one that happened first explains the rest.
            throw healthy.Values.Select(task => task.Exception?.InnerException).OfType<ResourceFailedException>().FirstOrDefault()
                ?? healthy.Values.Select(task => task.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException)
                ?? new OperationCanceledException(cancellationToken);
        }
    }

    private async Task StartWhenReadyAsync(LocalProcess process, Task[] dependencies, HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(dependencies).WaitAsync(cancellationToken);
            RunningResource running;
            lock (_running)
            {
                cancellationToken.ThrowIfCancellationRequested();
                running = RunningResource.Start(process, _log);
                _running.Add(running);
            }
            await running.WaitUntilHealthyAsync(http, HealthTimeout, cancellationToken);
            _log.Say($"✓ {process.Name} is healthy ({string.Join(", ", process.Endpoints.Select(e => $"{e.Key} {e.Value.GetLeftPart(UriPartial.Authority)}"))})");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await _starting.CancelAsync();
            throw;
        }
    }

    /// <summary>Resources with what they wait for first; a cycle is a mistake in the model.</summary>
    private static List<LocalProcess> DependencyOrder(IReadOnlyList<LocalProcess> processes)
    {
        var byName = processes.ToDictionary(process => process.Name);
        var ordered = new List<LocalProcess>();
        var visiting = new HashSet<string>();
        void Visit(LocalProcess process)
        {
            if (ordered.Contains(process))
            {
                return;
            }
            if (!visiting.Add(process.Name))
            {
                throw new InvalidOperationException($"{process.Name} waits for itself through WaitFor.");
            }
            foreach (var dependency in process.WaitsFor)
            {
                Visit(byName.GetValueOrDefault(dependency) ?? throw new InvalidOperationException($"{process.Name} waits for '{dependency}', which does not run."));
            }
            ordered.Add(process);
        }
        foreach (var process in processes)
        {
            Visit(process);
        }
        return ordered;
    }

    private async Task<int> StopAllAsync(int exitCode)
    {
        List<RunningResource> started;
        lock (_running)
        {
            _starting.Cancel(); // Nothing starts after this.
            started = [.. _running];
        }
        for (var i = started.Count - 1; i >= 0; i--)
        {
            await started[i].StopAsync(StopGrace);
        }
        _log.Say("K8shell stopped.");
        return exitCode;
    }
}
