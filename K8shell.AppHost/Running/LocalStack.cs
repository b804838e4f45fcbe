namespace K8shell.AppHost.Running;

/// <summary>
/// The model as local processes: each resource starts once everything it waits for is healthy, then waits for
/// its own health; the first failure cancels the rest. Stops them in reverse start order. Used by the console run
/// (<see cref="LocalRunner"/>) and by test hosts (<see cref="DistributedApplication.StartAsync"/>).
/// </summary>
internal sealed class LocalStack(DistributedApplication app, LogPrinter log) : IAsyncDisposable
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly List<RunningResource> _running = [];
    private readonly CancellationTokenSource _starting = new();
    private ContainerEngine? _engine;

    /// <summary>Every resource that runs, with its resolved wiring; empty until <see cref="StartAsync"/> planned them.</summary>
    public IReadOnlyList<LocalProcess> Processes { get; private set; } = [];

    /// <summary>Prepares what runs before anything (clusters, the dev user), then starts every resource until healthy.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var startingOrCancelled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _starting.Token);
        foreach (var beforeStart in app.Resources.SelectMany(resource => resource.Annotations.OfType<BeforeStartAnnotation>()))
        {
            await beforeStart.Callback(new BeforeStartContext(app.ExecutionContext, log.Say, startingOrCancelled.Token));
        }
        _engine = await ContainerEngineAsync(startingOrCancelled.Token);
        Processes = LocalPlan.Create(app, _engine);
        var width = Processes.Max(process => process.Name.Length);
        foreach (var process in Processes)
        {
            log.Register(process.Name, width);
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await StartAllAsync(http, startingOrCancelled.Token);
    }

    /// <summary>The engine containers run through, asked only when the model has containers, and said which way they run.</summary>
    private async Task<ContainerEngine?> ContainerEngineAsync(CancellationToken cancellationToken)
    {
        var containers = app.Resources.OfType<ContainerResource>().Select(container => container.Name).ToList();
        if (containers.Count == 0)
        {
            return null;
        }
        var engine = await ContainerEngine.DetectAsync(app.ExecutionContext, cancellationToken);
        log.Say(engine is null
            ? $"no container engine: {string.Join(", ", containers)} run as local programs"
            : $"{engine.Name}: {string.Join(", ", containers)} run as containers");
        return engine;
    }

    /// <summary>The first resource to exit once all are up: after a healthy start, any exit is a failure.</summary>
    public async Task<RunningResource> FirstExitAsync()
    {
        List<RunningResource> running;
        lock (_running)
        {
            running = [.. _running];
        }
        return await await Task.WhenAny(running.Select(async resource => { await resource.Exited; return resource; }));
    }

    /// <summary>Each started resource: SIGTERM in reverse start order, SIGKILL after a grace period.</summary>
    public async Task StopAsync()
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
        // Ports still held for resources that never started.
        foreach (var endpoint in Processes.SelectMany(process => process.Endpoints.Values))
        {
            FreePort.Release(endpoint.Port);
        }
    }

    /// <summary>The running process of <paramref name="name"/>; none while it is stopped.</summary>
    public RunningResource? Find(string name)
    {
        lock (_running)
        {
            return _running.LastOrDefault(resource => resource.Resource.Name == name && !resource.HasExited);
        }
    }

    /// <summary>One resource, as <see cref="StopAsync"/> stops each (SIGTERM, SIGKILL after the grace); the others keep running.</summary>
    public async Task StopResourceAsync(string name)
    {
        var running = Find(name) ?? throw new InvalidOperationException($"{name} is not running.");
        await running.StopAsync(StopGrace);
        lock (_running)
        {
            _running.Remove(running);
        }
        log.Say($"■ {name} stopped (exit code {running.ExitCode})");
    }

    /// <summary>
    /// Starts a stopped resource again on the same ports, with its environment evaluated anew (as Aspire's start
    /// command does: a callback may give it other settings now), and returns once it is healthy.
    /// </summary>
    public async Task StartResourceAsync(string name, CancellationToken cancellationToken)
    {
        if (Find(name) is not null)
        {
            throw new InvalidOperationException($"{name} is running already.");
        }
        var resource = app.Resources.SingleOrDefault(candidate => candidate.Name == name && Processes.Any(process => process.Name == name))
            ?? throw new ArgumentException($"The app runs no resource named '{name}'.");
        var process = LocalPlan.Plan(resource, app.ExecutionContext, _engine);
        RunningResource running;
        lock (_running)
        {
            _starting.Token.ThrowIfCancellationRequested(); // the stack is stopping
            running = RunningResource.Start(process, log);
            _running.Add(running);
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await running.WaitUntilHealthyAsync(http, HealthTimeout, cancellationToken);
        log.Say($"✓ {name} is healthy again");
    }

    // Stopping twice is fine (a test disposes the app and its builder); _starting has no timer, so nothing to release.
    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartAllAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var healthy = new Dictionary<string, Task>();
        foreach (var process in DependencyOrder(Processes))
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
                foreach (var endpoint in process.Endpoints.Values)
                {
                    FreePort.Release(endpoint.Port);
                }
                running = RunningResource.Start(process, log);
                _running.Add(running);
            }
            await running.WaitUntilHealthyAsync(http, HealthTimeout, cancellationToken);
            log.Say($"✓ {process.Name} is healthy ({string.Join(", ", process.Endpoints.Select(e => $"{e.Key} {e.Value.GetLeftPart(UriPartial.Authority)}"))})");
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
}
