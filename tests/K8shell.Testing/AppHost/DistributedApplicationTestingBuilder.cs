using System.Reflection;
using K8shell.AppHost.Model;

namespace K8shell.Testing.AppHost;

/// <summary>
/// The stack as the AppHost declares it, for a test, as Aspire.Hosting.Testing has it:
/// <c>CreateAsync&lt;Projects.K8shell_AppHost&gt;()</c> runs the AppHost's own <c>Main</c> up to <c>Build()</c> and takes
/// its builder (the same model, not a copy), with a data directory of its own and random ports for every endpoint;
/// <c>BuildAsync</c>, then <c>StartAsync</c> returns once every resource is healthy; disposing stops every process and
/// deletes the data directory.
/// </summary>
public sealed class DistributedApplicationTestingBuilder : IDistributedApplicationBuilder, IAsyncDisposable
{
    private readonly IDistributedApplicationBuilder _builder;
    private DistributedApplication? _app;

    private DistributedApplicationTestingBuilder(IDistributedApplicationBuilder builder) => _builder = builder;

    public DistributedApplicationOptions Options => _builder.Options;

    public DistributedApplicationExecutionContext ExecutionContext => _builder.ExecutionContext;

    public IReadOnlyList<IResource> Resources => _builder.Resources;

    /// <summary>
    /// The model of the AppHost <typeparamref name="TEntryPoint"/> names (its generated <c>Projects.*</c> class);
    /// <paramref name="configure"/> may set knobs for this app only (<see cref="DistributedApplicationOptions.EnvironmentOverrides"/>).
    /// </summary>
    public static async Task<DistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(
        string[]? args = null, Action<DistributedApplicationOptions>? configure = null, CancellationToken cancellationToken = default)
        where TEntryPoint : IProjectMetadata, new()
    {
        var entryPoint = Assembly.Load(Path.GetFileNameWithoutExtension(new TEntryPoint().ProjectPath)).EntryPoint
            ?? throw new InvalidOperationException($"{typeof(TEntryPoint).Name} has no entry point.");
        // An array of our own: the options of this Main's builder are the ones made with exactly this array.
        var ownArgs = new string[args?.Length ?? 0];
        args?.CopyTo(ownArgs, 0);
        var dataDirectory = Directory.CreateTempSubdirectory("k8shell-apphost-test-").FullName;
        var capture = new BuilderCapture(ownArgs, options =>
        {
            options.DataDirectory = dataDirectory;
            options.RandomizePorts = true;
            configure?.Invoke(options);
        });
        using (DistributedApplicationDiagnostics.Listener.Subscribe(capture))
        {
            try
            {
                var result = entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? [] : [ownArgs]);
                if (result is Task task)
                {
                    await task.WaitAsync(cancellationToken);
                }
            }
            catch (Exception e) when (e is TargetInvocationException { InnerException: BuilderCapture.Captured } or BuilderCapture.Captured)
            {
                // Main stopped at Build(), before Run(): what the test wanted.
            }
        }
        return new DistributedApplicationTestingBuilder(capture.Builder
            ?? throw new InvalidOperationException($"{entryPoint.DeclaringType?.Assembly.GetName().Name}'s Main returned without building an app."));
    }

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource => _builder.AddResource(resource);

    DistributedApplication IDistributedApplicationBuilder.Build() => _app = _builder.Build();

    /// <summary>The app, not started yet; this builder disposes it.</summary>
    public Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(((IDistributedApplicationBuilder)this).Build());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            DistributedApplicationTestingExtensions.DisposeClients(_app);
        }
        Directory.Delete(Options.DataDirectory, recursive: true);
    }

    /// <summary>Adjusts the options of the builder made with our arguments, and stops Main when that builder builds.</summary>
    private sealed class BuilderCapture(string[] args, Action<DistributedApplicationOptions> configure) : IObserver<KeyValuePair<string, object?>>
    {
        private DistributedApplicationOptions? _options;

        public IDistributedApplicationBuilder? Builder { get; private set; }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            switch (value)
            {
                case { Key: DistributedApplicationDiagnostics.BuilderConstructing, Value: DistributedApplicationOptions options } when ReferenceEquals(options.Args, args):
                    configure(options);
                    _options = options;
                    break;
                case { Key: DistributedApplicationDiagnostics.Building, Value: IDistributedApplicationBuilder builder } when ReferenceEquals(builder.Options, _options):
                    Builder = builder;
                    throw new Captured();
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        /// <summary>Thrown out of Build() to leave Main before Run(), as WebApplicationFactory stops a host it has captured.</summary>
        public sealed class Captured : Exception;
    }
}
