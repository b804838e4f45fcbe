using K8shell.AppHost.Model;

namespace K8shell.AppHost.Tests;

/// <summary>
/// <c>AddKindCluster</c> before the local run starts: the command lines it runs (against stub kind, docker and podman
/// that record them), the cluster it hands the Provisioner, and the fallback to local processes.
/// </summary>
public sealed class KindClusterTests : IDisposable
{
    private readonly StubTools _tools = new();
    private readonly string _data = Directory.CreateTempSubdirectory("k8shell-kind-data-").FullName;
    private readonly List<string> _reports = [];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string Kubeconfig => Path.Combine(_data, "cluster", "kubeconfig");

    [Fact]
    public async Task With_kind_and_a_running_docker_it_creates_the_cluster_and_exports_its_kubeconfig_into_the_data_directory()
    {
        _tools.Add("docker", output: "28.2.2");
        _tools.Add("kind");

        var connection = await ConnectAsync();

        Assert.Equal(
        [
            "KIND_EXPERIMENTAL_PROVIDER= docker info --format {{.ServerVersion}}",
            "KIND_EXPERIMENTAL_PROVIDER= kind get clusters",
            $"KIND_EXPERIMENTAL_PROVIDER= kind create cluster --name cluster --kubeconfig {Kubeconfig} --wait 120s",
        ], _tools.Calls);
        Assert.Equal(new KubernetesConnection(Kubeconfig, "kind-cluster"), connection);
        Assert.Contains(_reports, line => line.Contains("Kind cluster 'cluster' created"));
    }

    [Fact]
    public async Task A_cluster_kind_already_has_is_reused_by_exporting_its_kubeconfig()
    {
        _tools.Add("docker");
        _tools.Add("kind", output: "other\ncluster\n", when: "get clusters");

        var connection = await ConnectAsync();

        Assert.Equal($"KIND_EXPERIMENTAL_PROVIDER= kind export kubeconfig --name cluster --kubeconfig {Kubeconfig}", _tools.Calls[^1]);
        Assert.DoesNotContain(_tools.Calls, call => call.Contains("create"));
        Assert.Equal(new KubernetesConnection(Kubeconfig, "kind-cluster"), connection);
    }

    [Fact]
    public async Task With_podman_as_the_only_engine_kind_is_told_to_use_it()
    {
        _tools.Add("docker", exitCode: 1, output: "Cannot connect to the Docker daemon"); // a client without an engine, as on our machines
        _tools.Add("podman");
        _tools.Add("kind");

        await ConnectAsync();

        Assert.Contains("KIND_EXPERIMENTAL_PROVIDER= podman info --format {{.Version.Version}}", _tools.Calls);
        Assert.Contains($"KIND_EXPERIMENTAL_PROVIDER=podman kind create cluster --name cluster --kubeconfig {Kubeconfig} --wait 120s", _tools.Calls);
    }

    [Fact]
    public async Task Without_a_container_engine_workspaces_run_as_local_processes_and_it_says_so()
    {
        _tools.Add("kind");

        Assert.Null(await ConnectAsync());

        Assert.Equal([KindClusterStartup.NoContainerEngine], _reports);
        Assert.Empty(_tools.Calls);
    }

    [Fact]
    public async Task A_docker_client_whose_engine_does_not_answer_is_no_container_engine()
    {
        _tools.Add("docker", exitCode: 1);
        _tools.Add("kind");

        Assert.Null(await ConnectAsync());

        Assert.Equal([KindClusterStartup.NoContainerEngine], _reports);
        Assert.DoesNotContain(_tools.Calls, call => call.Contains("kind "));
    }

    [Fact]
    public async Task K8SHELL_CONTAINER_ENGINE_none_is_no_container_engine_for_kind_either()
    {
        _tools.Add("docker");
        _tools.Add("kind");

        Assert.Null(await ConnectAsync(("K8SHELL_CONTAINER_ENGINE", "none")));

        Assert.Equal([KindClusterStartup.NoContainerEngine], _reports);
        Assert.Empty(_tools.Calls);
    }

    [Fact]
    public async Task An_engine_without_kind_falls_back_to_local_processes_naming_kind()
    {
        _tools.Add("docker");

        Assert.Null(await ConnectAsync());

        Assert.Equal(["kind is not on PATH: workspaces run as local processes"], _reports);
    }

    [Fact]
    public async Task KUBECONFIG_names_the_cluster_to_use_and_kind_is_not_asked()
    {
        _tools.Add("docker");
        _tools.Add("kind");

        var connection = await ConnectAsync(("KUBECONFIG", "/home/dev/.kube/staging"));

        Assert.Equal(new KubernetesConnection("/home/dev/.kube/staging", ""), connection);
        Assert.Empty(_tools.Calls);
    }

    [Fact]
    public async Task K8SHELL_WORKSPACE_BACKEND_process_wins_over_kind_and_KUBECONFIG()
    {
        _tools.Add("docker");
        _tools.Add("kind");

        Assert.Null(await ConnectAsync(("K8SHELL_WORKSPACE_BACKEND", "process"), ("KUBECONFIG", "/home/dev/.kube/config")));

        Assert.Empty(_tools.Calls);
        Assert.Equal(["K8SHELL_WORKSPACE_BACKEND=process: workspaces run as local processes"], _reports);
    }

    [Fact]
    public async Task K8SHELL_WORKSPACE_BACKEND_kubernetes_without_a_cluster_is_an_error_not_a_fallback()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectAsync(("K8SHELL_WORKSPACE_BACKEND", "kubernetes")));

        Assert.Contains("needs KUBECONFIG, or kind and a running container engine", failure.Message);
        Assert.Contains(KindClusterStartup.NoContainerEngine, failure.Message);
    }

    [Fact]
    public async Task A_failing_kind_stops_the_run_with_what_it_said()
    {
        _tools.Add("docker");
        _tools.Add("kind", exitCode: 1, output: "ERROR: failed to create cluster: node(s) already exist", when: "create cluster --name cluster --kubeconfig " + Kubeconfig + " --wait 120s");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectAsync());

        Assert.Contains("`kind create cluster --name cluster", failure.Message);
        Assert.Contains("node(s) already exist", failure.Message);
        Assert.Contains("K8SHELL_WORKSPACE_BACKEND=process", failure.Message);
    }

    [Fact]
    public async Task The_provisioner_gets_the_kubernetes_backend_and_the_cluster_through_the_model()
    {
        _tools.Add("docker");
        _tools.Add("kind");
        var (context, cluster, provisioner) = Model();

        await RunBeforeStartAsync(context, cluster);
        var environment = provisioner.GetEnvironment(context).ToDictionary(variable => variable.Key, variable => Resolve(variable.Value));

        Assert.Equal("kubernetes", environment["Provisioner__Backend"]);
        Assert.Equal(Kubeconfig, environment["Provisioner__Kubernetes__Kubeconfig"]);
        Assert.Equal("kind-cluster", environment["Provisioner__Kubernetes__Context"]);
        Assert.Equal("default", environment["Provisioner__Kubernetes__Namespace"]);
        Assert.Equal(WorkspaceClusterExtensions.LocalK8shelldImage, environment["Provisioner__Kubernetes__K8shelldImage"]);
        Assert.Equal("http://127.0.0.1:9021/.well-known/jwks.json", environment["Provisioner__Kubernetes__JwksUrl"]);
    }

    [Fact]
    public async Task Without_a_cluster_the_provisioner_gets_the_process_backend_and_nothing_of_kubernetes()
    {
        var (context, cluster, provisioner) = Model();

        await RunBeforeStartAsync(context, cluster);
        var environment = provisioner.GetEnvironment(context);

        Assert.Equal("process", environment["Provisioner__Backend"]);
        Assert.DoesNotContain(environment.Keys, name => name.StartsWith("Provisioner__Kubernetes__", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _tools.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private Task<KubernetesConnection?> ConnectAsync(params (string Name, string? Value)[] variables) =>
        new KindClusterStartup(_tools.RunContext(_data, variables), _reports.Add).ConnectAsync(new KindClusterResource("cluster"), Cancellation);

    private (DistributedApplicationExecutionContext, KindClusterResource, ProjectResource) Model()
    {
        var context = _tools.RunContext(_data);
        var builder = new DistributedApplicationBuilder(context);
        var cluster = builder.AddKindCluster("cluster");
        var identity = builder.AddProject<Projects.K8shell_Identity>("identity");
        identity.Resource.Annotations.OfType<EndpointAnnotation>().Single(endpoint => endpoint.Name == "http").Allocated = new("http", "127.0.0.1", 9021);
        var provisioner = builder.AddProject<Projects.K8shell_Provisioner>("provisioner").WithWorkspaceCluster(cluster, identity);
        return (context, cluster.Resource, provisioner.Resource);
    }

    private async Task RunBeforeStartAsync(DistributedApplicationExecutionContext context, KindClusterResource cluster)
    {
        foreach (var annotation in cluster.Annotations.OfType<BeforeStartAnnotation>())
        {
            await annotation.Callback(new BeforeStartContext(context, _reports.Add, Cancellation));
        }
    }

    private static string Resolve(object value) => value is IValueProvider provider ? provider.GetValue() : (string)value;
}
