namespace K8shell.AppHost.Model;

/// <summary><c>AddExecutable</c>: any program, run locally.</summary>
public static class ExecutableResourceBuilderExtensions
{
    public static IResourceBuilder<ExecutableResource> AddExecutable(
        this IDistributedApplicationBuilder builder, string name, string command, string workingDirectory, params string[] args)
    {
        var executable = builder.AddResource(new ExecutableResource(name, command, Path.GetFullPath(workingDirectory)));
        return args.Length == 0 ? executable : executable.WithArgs([.. args]);
    }
}
