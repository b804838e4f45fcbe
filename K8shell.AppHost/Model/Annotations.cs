namespace K8shell.AppHost.Model;

/// <summary>Adds environment variables when the resource is started or published; values are strings or <see cref="IValueProvider"/>s.</summary>
public sealed record EnvironmentCallbackAnnotation(Action<EnvironmentCallbackContext> Callback) : IResourceAnnotation;

/// <summary>What an environment callback fills in, and for which operation.</summary>
public sealed record EnvironmentCallbackContext(DistributedApplicationExecutionContext ExecutionContext)
{
    public Dictionary<string, object> EnvironmentVariables { get; } = [];
}

/// <summary>Adds command-line arguments; values are strings or <see cref="IValueProvider"/>s.</summary>
public sealed record CommandLineArgsCallbackAnnotation(Action<CommandLineArgsCallbackContext> Callback) : IResourceAnnotation;

/// <summary>What an arguments callback fills in, and for which operation.</summary>
public sealed record CommandLineArgsCallbackContext(DistributedApplicationExecutionContext ExecutionContext)
{
    public List<object> Args { get; } = [];
}

/// <summary>Start this resource only once <paramref name="Resource"/> is healthy.</summary>
public sealed record WaitAnnotation(IResource Resource) : IResourceAnnotation;

/// <summary>Healthy when GET <paramref name="Path"/> on the endpoint answers 2xx.</summary>
public sealed record HttpHealthCheckAnnotation(string EndpointName, string Path) : IResourceAnnotation;

/// <summary>Healthy when the endpoint accepts a connection and its first line starts with <paramref name="Greeting"/> (NATS says INFO).</summary>
public sealed record TcpGreetingHealthCheckAnnotation(string EndpointName, string Greeting) : IResourceAnnotation;

/// <summary>A named volume mounted at <paramref name="Target"/> in the container.</summary>
public sealed record ContainerVolumeAnnotation(string Name, string Target, bool ReadOnly = false) : IResourceAnnotation;

/// <summary>
/// How a container runs when no container engine answers: a local program with its arguments. The
/// arguments are built late, when ports and the data directory are known.
/// </summary>
public sealed record LocalProcessAnnotation(string Command, Func<LocalProcessContext, IEnumerable<string>> Arguments) : IResourceAnnotation;

/// <summary>What a local-process stand-in for a container needs to know.</summary>
public sealed record LocalProcessContext(IResource Resource, string DataDirectory);

/// <summary>
/// Work a resource needs done before anything starts, such as a cluster that must exist before the services that
/// use it are given its address (Aspire's before-start hooks). Runs once per local run, in model order.
/// </summary>
public sealed record BeforeStartAnnotation(Func<BeforeStartContext, Task> Callback) : IResourceAnnotation;

/// <summary>What a before-start callback may use: the run's context, a line for the user, and the run's cancellation.</summary>
public sealed record BeforeStartContext(DistributedApplicationExecutionContext ExecutionContext, Action<string> Report, CancellationToken CancellationToken);
