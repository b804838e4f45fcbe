namespace K8shell.AppHost.Model;

/// <summary><c>WithEnvironment</c> and <c>WithArgs</c>: what a resource is started with.</summary>
public static class EnvironmentExtensions
{
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context => context.EnvironmentVariables[name] = value);

    /// <summary>A value that differs between a local run and a deployment: an endpoint, a parameter, an expression.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IValueProvider value)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context => context.EnvironmentVariables[name] = value);

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(name, parameter.Resource);

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Action<EnvironmentCallbackContext> callback)
        where T : IResourceWithEnvironment =>
        builder.WithAnnotation(new EnvironmentCallbackAnnotation(callback));

    /// <summary>Arguments: strings, or values (<see cref="IValueProvider"/>) resolved as environment values are.</summary>
    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params object[] args)
        where T : IResourceWithArgs =>
        builder.WithAnnotation(new CommandLineArgsCallbackAnnotation(context => context.Args.AddRange(args)));

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, Action<CommandLineArgsCallbackContext> callback)
        where T : IResourceWithArgs =>
        builder.WithAnnotation(new CommandLineArgsCallbackAnnotation(callback));

    /// <summary>The environment of <paramref name="resource"/> for this operation, values still unresolved.</summary>
    public static IReadOnlyDictionary<string, object> GetEnvironment(this IResource resource, DistributedApplicationExecutionContext executionContext)
    {
        var context = new EnvironmentCallbackContext(executionContext);
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            annotation.Callback(context);
        }
        return context.EnvironmentVariables;
    }

    /// <summary>The arguments of <paramref name="resource"/> for this operation, values still unresolved.</summary>
    public static IReadOnlyList<object> GetArgs(this IResource resource, DistributedApplicationExecutionContext executionContext)
    {
        var context = new CommandLineArgsCallbackContext(executionContext);
        foreach (var annotation in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            annotation.Callback(context);
        }
        return context.Args;
    }
}
