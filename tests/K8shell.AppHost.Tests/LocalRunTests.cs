using System.Net;
using System.Text.Json;
using K8shell.Testing;

namespace K8shell.AppHost.Tests;

/// <summary>The AppHost as ./run.sh starts it: every resource up and healthy, and nothing left behind.</summary>
public sealed class LocalRunTests : IAsyncDisposable
{
    private static readonly string[] Resources = ["nats", "identity", "sessions", "provisioner", "shield", "ssh-proxy"];

    private static readonly string[] ProjectDefaults =
    [
        "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "Kestrel__Endpoints__http__Url",
        "Logging__Console__FormatterName", "Logging__Console__FormatterOptions__SingleLine", "OTEL_SERVICE_NAME",
    ];

    /// <summary>What each service reads from the AppHost (besides <see cref="ProjectDefaults"/>): renaming one breaks the service.</summary>
    private static readonly Dictionary<string, string[]> Wiring = new()
    {
        ["K8shell.Identity.dll"] = ["Kestrel__Endpoints__grpc__Url", "Identity__DataDirectory", "Identity__Callers__StaticTokens__provisioner"],
        ["K8shell.Sessions.dll"] = ["Kestrel__Endpoints__grpc__Url", "Sessions__DataDirectory", "Sessions__Callers__StaticTokens__ssh-proxy",
            "services__identity__http__0", "services__identity__grpc__0"],
        ["K8shell.Provisioner.dll"] = ["Kestrel__Endpoints__grpc__Url", "Provisioner__Process__DataDirectory", "Provisioner__Callers__StaticTokens__ssh-proxy",
            "services__identity__http__0", "services__identity__grpc__0", "Services__identity__Token", "ConnectionStrings__nats", "Provisioner__Backend"],
        ["K8shell.Shield.dll"] = ["ConnectionStrings__nats"],
        ["K8shell.SshProxy.dll"] = ["services__identity__http__0", "services__identity__grpc__0", "services__provisioner__http__0", "services__provisioner__grpc__0",
            "services__sessions__http__0", "services__sessions__grpc__0", "Services__provisioner__Token", "Services__sessions__Token", "ConnectionStrings__nats"],
    };

    private readonly string _data = Directory.CreateTempSubdirectory("k8shell-apphost-").FullName;
    private readonly int _sshPort = FreePort.Next();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Ctrl+C in the terminal (SIGINT) and a service manager's stop (SIGTERM) end the same way.</summary>
    [Theory]
    [InlineData(Signals.SigInt)]
    [InlineData(Signals.SigTerm)]
    public async Task Starts_every_resource_healthy_then_stops_them_all_on_ctrl_c_or_sigterm(int signal)
    {
        await using var appHost = StartAppHost();
        await appHost.WaitForLineAsync(line => line.Contains("Press Ctrl+C to stop."), TimeSpan.FromMinutes(2), Cancellation);

        var endpoints = ReadEndpoints();
        Assert.Equal(Resources, endpoints.Keys);
        using var http = new HttpClient();
        foreach (var (name, urls) in endpoints.Where(e => e.Value.ContainsKey("http")))
        {
            var health = await http.GetAsync(urls["http"] + "/health", Cancellation);
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"{name} /health: {health.StatusCode}");
        }
        Assert.Contains($"Connect with: ssh -p {_sshPort} {Environment.UserName}@localhost", appHost.Output);
        Assert.Equal($"tcp://127.0.0.1:{_sshPort}", endpoints["ssh-proxy"]["ssh"]);

        var children = Wiring.Keys.Append("nats-server").Select(program => (Program: program, Pid: ChildOf(appHost, program))).ToList();

        Assert.Equal(0, await appHost.StopAsync(TimeSpan.FromSeconds(60), signal));
        Assert.Contains("K8shell stopped.", appHost.Output);
        // An orphan would have been adopted by init: the same process is still there under its pid.
        Assert.All(children, child => Assert.False(CommandLine(child.Pid).Contains(child.Program), $"{child.Program} (pid {child.Pid}) outlived the AppHost"));
        foreach (var (name, urls) in endpoints)
        {
            var port = new Uri(urls.Values.First()).Port;
            Assert.False(await K8shell.Testing.FreePort.AcceptsConnectionsAsync(port, Cancellation), $"{name} still listens on {port} after the AppHost stopped");
        }
    }

    [Fact]
    public async Task Each_service_gets_the_variables_it_reads_with_values_that_lead_to_the_others()
    {
        await using var appHost = StartAppHost();
        await appHost.WaitForLineAsync(line => line.Contains("Press Ctrl+C to stop."), TimeSpan.FromMinutes(2), Cancellation);
        var endpoints = ReadEndpoints();

        var environments = Wiring.Keys.ToDictionary(assembly => assembly, assembly => EnvironmentOf(ChildOf(appHost, assembly)));

        foreach (var (assembly, names) in Wiring)
        {
            Assert.All(ProjectDefaults.Concat(names), name => Assert.True(environments[assembly].ContainsKey(name), $"{assembly} lacks {name}"));
        }
        var proxy = environments["K8shell.SshProxy.dll"];
        Assert.Equal(endpoints["identity"]["grpc"], proxy["services__identity__grpc__0"]);
        Assert.Equal(endpoints["nats"]["tcp"].Replace("tcp://", "nats://"), proxy["ConnectionStrings__nats"]);
        Assert.Equal(environments["K8shell.Identity.dll"]["Kestrel__Endpoints__grpc__Url"], endpoints["identity"]["grpc"] + "/");
        Assert.Equal(Path.Combine(_data, "identity"), environments["K8shell.Identity.dll"]["Identity__DataDirectory"]);
        // Both sides of a caller token hold the same secret, generated for this run.
        Assert.Equal(environments["K8shell.Sessions.dll"]["Sessions__Callers__StaticTokens__ssh-proxy"], proxy["Services__sessions__Token"]);
        Assert.Equal(environments["K8shell.Identity.dll"]["Identity__Callers__StaticTokens__provisioner"], environments["K8shell.Provisioner.dll"]["Services__identity__Token"]);
        Assert.True(proxy["Services__sessions__Token"].Length >= 32);
        Assert.Equal("process", environments["K8shell.Provisioner.dll"]["Provisioner__Backend"]);
        Assert.Contains("K8SHELL_WORKSPACE_BACKEND=process: workspaces run as local processes", appHost.Output);
        // What it waits for is healthy before a resource starts.
        Assert.True(appHost.Output.IndexOf("✓ nats is healthy", StringComparison.Ordinal) < appHost.Output.IndexOf("✓ provisioner is healthy", StringComparison.Ordinal));
        Assert.True(appHost.Output.IndexOf("✓ sessions is healthy", StringComparison.Ordinal) < appHost.Output.IndexOf("✓ ssh-proxy is healthy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_service_runs_from_the_ReadyToRun_copy_its_build_made()
    {
        await using var appHost = StartAppHost();
        await appHost.WaitForLineAsync(line => line.Contains("Press Ctrl+C to stop."), TimeSpan.FromMinutes(2), Cancellation);

        foreach (var service in Wiring.Keys)
        {
            // dotnet exec <assembly> …
            var assembly = File.ReadAllText($"/proc/{ChildOf(appHost, service)}/cmdline").Split('\0')[2];
            Assert.Equal("ready-to-run", Path.GetFileName(Path.GetDirectoryName(assembly)));
            foreach (var path in ReadyToRunImage.ServiceAndHeaviestPackages(assembly))
            {
                Assert.True(ReadyToRunImage.Is(path), $"{path} holds IL only: the first login after a start would wait for its JIT");
            }
        }
    }

    [Fact]
    public async Task A_resource_that_dies_is_reported_with_its_last_lines_and_the_stack_stops()
    {
        await using var appHost = StartAppHost();
        await appHost.WaitForLineAsync(line => line.Contains("Press Ctrl+C to stop."), TimeSpan.FromMinutes(2), Cancellation);

        Signals.Send(System.Diagnostics.Process.GetProcessById(ChildOf(appHost, "K8shell.Shield.dll")), 9);

        Assert.Equal(1, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("✗ shield exited with code 137", appHost.Output);
        Assert.Contains("Last lines:", appHost.Output);
        Assert.Contains("K8shell stopped.", appHost.Output);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }

    // Local processes for workspaces and NATS, so a developer's kind and docker (or KUBECONFIG) do not make these tests
    // start a cluster or a container: they look for nats-server among the AppHost's children.
    private ChildProcess StartAppHost() => AppHostProcess.Start([], new Dictionary<string, string?>
    {
        ["K8SHELL_DATA"] = _data,
        ["K8SHELL_SSH_PORT"] = _sshPort.ToString(),
        ["K8SHELL_WORKSPACE_BACKEND"] = "process",
        ["K8SHELL_CONTAINER_ENGINE"] = "none",
    });

    private static Dictionary<string, string> EnvironmentOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(variable => variable.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");

    private Dictionary<string, Dictionary<string, string>> ReadEndpoints() =>
        JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(File.ReadAllText(Path.Combine(_data, "endpoints.json")))!;

    /// <summary>The AppHost's direct child whose command line names <paramref name="assembly"/>.</summary>
    private static int ChildOf(ChildProcess parent, string assembly) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(int.Parse!)
            .Single(pid => ParentOf(pid) == parent.Id && CommandLine(pid).Contains(assembly));

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
