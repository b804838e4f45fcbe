namespace K8shell.AppHost;

/// <summary>Where a service keeps its files when the stack runs locally.</summary>
public static class DataDirectoryExtensions
{
    /// <summary>
    /// Locally: <paramref name="configurationKey"/> = <c>&lt;K8SHELL_DATA&gt;/&lt;resource&gt;</c>, so all state lives in one
    /// folder. Deployed: left to the service's own default (a path of this machine means nothing there); a publisher
    /// that gives it a volume reads the key from the <see cref="DataDirectoryAnnotation"/>.
    /// </summary>
    public static IResourceBuilder<T> WithDataDirectory<T>(this IResourceBuilder<T> builder, string configurationKey)
        where T : IResourceWithEnvironment
    {
        var variable = configurationKey.Replace(":", "__");
        return builder
            .WithAnnotation(new DataDirectoryAnnotation(variable))
            .WithEnvironment(context =>
            {
                if (context.ExecutionContext.IsRunMode)
                {
                    context.EnvironmentVariables[variable] = Path.Combine(context.ExecutionContext.DataDirectory, builder.Resource.Name);
                }
            });
    }
}

/// <summary>The service keeps its state in the folder <paramref name="Variable"/> names (an environment variable).</summary>
public sealed record DataDirectoryAnnotation(string Variable) : IResourceAnnotation;
