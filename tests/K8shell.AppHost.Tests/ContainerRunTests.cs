using K8shell.AppHost.Model;
using K8shell.AppHost.Running;

namespace K8shell.AppHost.Tests;

/// <summary>
/// Containers in a local run: through the container engine that answers, as the command lines a stub docker or
/// podman records (the run and the stop), else through their local stand-in (NATS: nats-server).
/// </summary>
public sealed class ContainerRunTests : IDisposable
{
    private readonly StubTools _tools = new();
    private readonly string _data = Directory.CreateTempSubdirectory("k8shell-container-data-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_docker_answering_NATS_runs_its_image_with_JetStream_on_a_loopback_port_and_its_data_volume()
    {
        _tools.Add("docker");
        var app = App(builder => builder.AddNats("nats").WithJetStream().WithDataVolume());

        var nats = Assert.Single(LocalPlan.Create(app, await DetectAsync(app)));

        var name = nats.Arguments[3];
        Assert.Matches("^k8shell-nats-[0-9a-f]{8}$", name);
        Assert.Equal(Path.Combine(_tools.Directory, "docker"), nats.Command);
        Assert.Equal(
            ["run", "--rm", "--name", name, "-p", $"127.0.0.1:{app.GetEndpoint("nats", "tcp").Port}:4222",
             "-v", "k8shell-nats-data:/var/lib/nats", "docker.io/library/nats:2.12", "-js", "-sd", "/var/lib/nats"],
            nats.Arguments);
        Assert.Equal([Path.Combine(_tools.Directory, "docker"), "stop", "-t", "10", name], nats.StopCommand);
    }

    [Fact]
    public async Task With_podman_as_the_only_engine_answering_the_container_runs_through_podman()
    {
        _tools.Add("docker", exitCode: 1, output: "Cannot connect to the Docker daemon");
        _tools.Add("podman");
        var app = App(builder => builder.AddNats("nats").WithJetStream());

        var nats = Assert.Single(LocalPlan.Create(app, await DetectAsync(app)));

        Assert.Equal(Path.Combine(_tools.Directory, "podman"), nats.Command);
        Assert.Equal(["run", "--rm", "--name", nats.Arguments[3], "-p", $"127.0.0.1:{app.GetEndpoint("nats", "tcp").Port}:4222", "docker.io/library/nats:2.12", "-js"],
            nats.Arguments);
        Assert.Equal([Path.Combine(_tools.Directory, "podman"), "stop", "-t", "10", nats.Arguments[3]], nats.StopCommand);
    }

    [Fact]
    public async Task Without_an_engine_that_answers_NATS_runs_as_nats_server_on_loopback()
    {
        _tools.Add("docker", exitCode: 1); // a client without an engine, as on our machines
        var app = App(builder => builder.AddNats("nats").WithJetStream());

        var nats = Assert.Single(LocalPlan.Create(app, await DetectAsync(app)));

        Assert.Equal("nats-server", Path.GetFileName(nats.Command));
        Assert.Equal(["-a", "127.0.0.1", "-p", app.GetEndpoint("nats", "tcp").Port.ToString(), "-js"], nats.Arguments);
        Assert.Null(nats.StopCommand);
    }

    [Fact]
    public async Task K8SHELL_CONTAINER_ENGINE_none_runs_the_stand_in_and_asks_no_engine()
    {
        _tools.Add("docker");
        var app = App(builder => builder.AddNats("nats"), ("K8SHELL_CONTAINER_ENGINE", "none"));

        Assert.Null(await DetectAsync(app));
        Assert.Empty(_tools.Calls);
    }

    [Fact]
    public async Task K8SHELL_CONTAINER_ENGINE_podman_asks_only_podman()
    {
        _tools.Add("docker");
        _tools.Add("podman");
        var app = App(builder => builder.AddNats("nats"), ("K8SHELL_CONTAINER_ENGINE", "podman"));

        Assert.Equal("podman", (await DetectAsync(app))?.Name);
        Assert.Equal(["KIND_EXPERIMENTAL_PROVIDER= podman info --format {{.Version.Version}}"], _tools.Calls);
    }

    [Fact]
    public async Task A_container_starts_with_its_ports_variable_names_volumes_and_args_and_is_stopped_by_the_engine()
    {
        _tools.Add("docker", blockOn: "run");
        var app = App(builder =>
        {
            var token = builder.AddParameter("web-token", "s3cret", secret: true);
            builder.AddContainer("web", "docker.io/library/nginx", "1.29")
                .WithHttpEndpoint(targetPort: 80, env: "PORT")
                .WithEnvironment("GREETING", "hello")
                .WithEnvironment("TOKEN", token)
                .WithVolume("web-content", "/usr/share/nginx/html", isReadOnly: true)
                .WithArgs("nginx", "-g", "daemon off;");
        });
        await using var stack = new LocalStack(app, new LogPrinter());

        await stack.StartAsync(Cancellation);
        var web = Assert.Single(stack.Processes);
        var name = web.Arguments[3];
        var run = $"KIND_EXPERIMENTAL_PROVIDER= docker run --rm --name {name} -p 127.0.0.1:{app.GetEndpoint("web", "http").Port}:80"
            + " -e PORT -e GREETING -e TOKEN -v k8shell-web-content:/usr/share/nginx/html:ro docker.io/library/nginx:1.29 nginx -g daemon off;";
        await WaitForCallAsync(run);
        await stack.StopAsync();

        Assert.Equal(["KIND_EXPERIMENTAL_PROVIDER= docker info --format {{.ServerVersion}}", run, $"KIND_EXPERIMENTAL_PROVIDER= docker stop -t 10 {name}"],
            _tools.Calls);
        // Values reach the client's environment, never its command line; the port is the container's.
        Assert.Equal("80", web.Environment["PORT"]);
        Assert.Equal("s3cret", web.Environment["TOKEN"]);
        Assert.True((await stack.FirstExitAsync()).HasExited);
    }

    public void Dispose()
    {
        _tools.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private DistributedApplication App(Action<IDistributedApplicationBuilder> declare, params (string Name, string? Value)[] variables)
    {
        var builder = new DistributedApplicationBuilder(_tools.RunContext(_data, variables));
        declare(builder);
        return builder.Build();
    }

    private static Task<ContainerEngine?> DetectAsync(DistributedApplication app) => ContainerEngine.DetectAsync(app.ExecutionContext, Cancellation);

    /// <summary>The run is recorded by the started process, a moment after the start returns (nothing to wait for health).</summary>
    private async Task WaitForCallAsync(string call)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!_tools.Calls.Contains(call))
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
