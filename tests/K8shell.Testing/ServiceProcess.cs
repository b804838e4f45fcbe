namespace K8shell.Testing;

/// <summary>
/// A K8shell service started from its build output as a real process, on loopback ports the test
/// chooses: <c>http</c> (HTTP/1.1: health, APIs) and, for gRPC services, <c>grpc</c> (HTTP/2).
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private ServiceProcess(ChildProcess process, Uri http, Uri? grpc)
    {
        Process = process;
        HttpEndpoint = http;
        GrpcEndpoint = grpc;
    }

    public ChildProcess Process { get; }

    public Uri HttpEndpoint { get; }

    /// <summary>Null for services without a gRPC server (SshProxy, Shield).</summary>
    public Uri? GrpcEndpoint { get; }

    /// <summary>Starts the service and returns once it logged "Application started" (or throws with its output).</summary>
    public static async Task<ServiceProcess> StartAsync(
        string projectFolder,
        string assemblyName,
        bool servesGrpc,
        IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken cancellationToken = default,
        IReadOnlyList<string>? wrapper = null)
    {
        var process = Launch(projectFolder, assemblyName, servesGrpc, environment, out var http, out var grpc, wrapper);
        try
        {
            await process.WaitForLineAsync(line => line.Contains("Application started"), TimeSpan.FromSeconds(60), cancellationToken);
            return new ServiceProcess(process, http, grpc);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the service without waiting, for tests that expect it to refuse to start.</summary>
    public static ChildProcess Launch(
        string projectFolder,
        string assemblyName,
        bool servesGrpc,
        IReadOnlyDictionary<string, string?>? environment,
        out Uri http,
        out Uri? grpc,
        IReadOnlyList<string>? wrapper = null)
    {
        var assembly = RepositoryPaths.ProjectAssembly(projectFolder, assemblyName);
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{assembly} is not built; the test project must reference {projectFolder}.");
        }

        http = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        grpc = servesGrpc ? new Uri($"http://127.0.0.1:{FreePort.Next()}") : null;
        var arguments = new List<string> { "exec", assembly, $"--Kestrel:Endpoints:http:Url={http}" };
        if (grpc is not null)
        {
            arguments.Add($"--Kestrel:Endpoints:grpc:Url={grpc}");
        }

        var variables = new Dictionary<string, string?>
        {
            // Whatever the test runner inherited must not leak into the service under test.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
            ["ASPNETCORE_URLS"] = null,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }
        // A wrapper command runs the service (e.g. unshare, to make it PID 1 of a namespace).
        return wrapper is { Count: > 0 }
            ? ChildProcess.Start(projectFolder, wrapper[0], [.. wrapper.Skip(1), DotnetHost, .. arguments], variables, Path.GetDirectoryName(assembly))
            : ChildProcess.Start(projectFolder, DotnetHost, arguments, variables, Path.GetDirectoryName(assembly));
    }

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();

    /// <summary>The dotnet host that runs the tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path)
        ? path
        : "dotnet";
}
