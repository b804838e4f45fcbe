using K8shell.AppHost.Publishing;
using K8shell.AppHost.Publishing.Kubernetes;
using K8shell.AppHost.Running;

namespace K8shell.AppHost.Model;

/// <summary>
/// The declared app: runs it locally until Ctrl+C (<see cref="Run"/>), or writes it out for a deployer
/// (<c>--publisher manifest</c> or <c>kubernetes</c>); a test host starts and stops it instead (<see cref="StartAsync"/>).
/// </summary>
public sealed class DistributedApplication(IReadOnlyList<IResource> resources, DistributedApplicationExecutionContext executionContext) : IAsyncDisposable
{
    private LocalStack? _started;

    public IReadOnlyList<IResource> Resources { get; } = resources;

    public DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext;

    /// <summary>A builder for the command line's operation; the local run keeps its state in <c>K8SHELL_DATA</c> (default <c>.k8shell/</c>).</summary>
    public static IDistributedApplicationBuilder CreateBuilder(string[] args)
    {
        var options = new DistributedApplicationOptions(args, LocalKnobs.DataDirectory);
        Write(DistributedApplicationDiagnostics.BuilderConstructing, options);
        return new DistributedApplicationBuilder(options, DistributedApplicationExecutionContext.FromArguments(args, options.DataDirectory) with
        {
            RandomizePorts = options.RandomizePorts,
            EnvironmentOverrides = new Dictionary<string, string?>(options.EnvironmentOverrides),
        });
    }

    internal static void Write(string name, object payload)
    {
        if (DistributedApplicationDiagnostics.Listener.IsEnabled(name))
        {
            DistributedApplicationDiagnostics.Listener.Write(name, payload);
        }
    }

    /// <summary>Runs or publishes; the process exit code says whether it worked.</summary>
    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync()
    {
        Environment.ExitCode = ExecutionContext switch
        {
            { IsRunMode: true } => await new LocalRunner(this).RunAsync(),
            { PublisherName: "manifest" } => await ManifestPublisher.PublishAsync(this),
            { PublisherName: "kubernetes" } => await HelmChartPublisher.PublishAsync(this),
            _ => Fail($"Unknown publisher '{ExecutionContext.PublisherName}': this AppHost writes 'manifest' and 'kubernetes'."),
        };
    }

    /// <summary>Starts every resource locally and returns once all are healthy; a failure says which resource and why.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (!ExecutionContext.IsRunMode || _started is not null)
        {
            throw new InvalidOperationException("StartAsync starts an app in run mode, once.");
        }
        _started = new LocalStack(this, new LogPrinter());
        await _started.StartAsync(cancellationToken);
    }

    /// <summary>Stops what <see cref="StartAsync"/> started, in reverse order, and waits until every process is gone.</summary>
    public async Task StopAsync()
    {
        if (_started is not null)
        {
            await _started.StopAsync();
        }
    }

    /// <summary>
    /// Stops one resource of the started app as the whole app stops (SIGTERM, SIGKILL after a grace period) and waits
    /// until its process is gone; the others keep running. Aspire's "stop" resource command.
    /// </summary>
    public Task StopResourceAsync(string resourceName) => Started.StopResourceAsync(resourceName);

    /// <summary>
    /// Starts a resource <see cref="StopResourceAsync"/> stopped, on the same ports, with its environment callbacks
    /// evaluated again, and returns once it is healthy. Aspire's "start" resource command.
    /// </summary>
    public Task StartResourceAsync(string resourceName, CancellationToken cancellationToken = default) => Started.StartResourceAsync(resourceName, cancellationToken);

    /// <summary>The process id of a running resource (to signal it as an operator or the kernel would), or null while it is stopped.</summary>
    public int? GetResourceProcessId(string resourceName) => Started.Find(resourceName)?.ProcessId;

    private LocalStack Started => _started ?? throw new InvalidOperationException("The app has not started (StartAsync).");

    /// <summary>Where an endpoint of a started resource listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri GetEndpoint(string resourceName, string endpointName) =>
        new(Resources.SingleOrDefault(resource => resource.Name == resourceName)?.Annotations.OfType<EndpointAnnotation>()
            .SingleOrDefault(endpoint => endpoint.Name == endpointName)?.Allocated?.Url
            ?? throw new ArgumentException($"{resourceName} has no started endpoint named '{endpointName}'."));

    public async ValueTask DisposeAsync()
    {
        if (_started is not null)
        {
            await _started.DisposeAsync();
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
