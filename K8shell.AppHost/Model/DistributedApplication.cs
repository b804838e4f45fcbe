using K8shell.AppHost.Publishing;
using K8shell.AppHost.Running;

namespace K8shell.AppHost.Model;

/// <summary>The declared app: runs it locally, or writes it out for a deployer (<c>--publisher manifest</c>).</summary>
public sealed class DistributedApplication(IReadOnlyList<IResource> resources, DistributedApplicationExecutionContext executionContext)
{
    public IReadOnlyList<IResource> Resources { get; } = resources;

    public DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext;

    /// <summary>A builder for the command line's operation; the local run keeps its state in <c>K8SHELL_DATA</c> (default <c>.k8shell/</c>).</summary>
    public static IDistributedApplicationBuilder CreateBuilder(string[] args) =>
        new DistributedApplicationBuilder(DistributedApplicationExecutionContext.FromArguments(args, LocalKnobs.DataDirectory));

    /// <summary>Runs or publishes; the process exit code says whether it worked.</summary>
    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync()
    {
        Environment.ExitCode = ExecutionContext switch
        {
            { IsRunMode: true } => await new LocalRunner(this).RunAsync(),
            { PublisherName: "manifest" } => await ManifestPublisher.PublishAsync(this),
            _ => Fail($"Unknown publisher '{ExecutionContext.PublisherName}': this AppHost writes 'manifest'."),
        };
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
