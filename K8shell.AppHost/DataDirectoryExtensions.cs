namespace K8shell.AppHost;

/// <summary>Where a service keeps its files when the stack runs locally.</summary>
public static class DataDirectoryExtensions
{
    /// <summary>
    /// Locally: <paramref name="configurationKey"/> = <c>&lt;K8SHELL_DATA&gt;/&lt;resource&gt;</c>, so all state lives in one
    /// folder. Deployed: left to the service's own default (a path of this machine means nothing there).
    /// </summary>
    public static IResourceBuilder<T> WithDataDirectory<T>(this IResourceBuilder<T> builder, string configurationKey)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context =>
        {
            if (context.ExecutionContext.IsRunMode)
            {
                context.EnvironmentVariables[configurationKey.Replace(":", "__")] = Path.Combine(context.ExecutionContext.DataDirectory, builder.Resource.Name);
            }
        });
}
