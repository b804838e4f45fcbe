using k8s.Models;

namespace K8shell.AppHost.Tests;

/// <summary><c>--publisher kubernetes</c>: a chart that renders without Helm into objects Kubernetes accepts, wired as the local run is.</summary>
public sealed class HelmChartTests : IDisposable
{
    private static readonly string[] Workloads = ["nats", "identity", "sessions", "provisioner", "shield", "ssh-proxy"];

    private readonly string _output = Directory.CreateTempSubdirectory("k8shell-chart-").FullName;

    [Fact]
    public async Task Every_template_renders_in_the_subset_and_reads_strictly_into_its_typed_model()
    {
        var chart = await PublishedChart.PublishAsync(_output);

        var objects = chart.Objects();

        Assert.Contains("Chart.yaml", chart.Files.Keys);
        Assert.Equal(Workloads.Order(), objects.Values.OfType<V1Deployment>().Select(d => d.Metadata.Name).Concat(objects.Values.OfType<V1StatefulSet>().Select(s => s.Metadata.Name)).Order());
        Assert.Equal(["nats"], objects.Values.OfType<V1StatefulSet>().Select(set => set.Metadata.Name));
        Assert.All(objects, entry => Assert.Equal(entry.Key.Split('/')[^1] switch
        {
            "deployment.yaml" => typeof(V1Deployment),
            "statefulset.yaml" => typeof(V1StatefulSet),
            "service.yaml" or "service-external.yaml" => typeof(V1Service),
            "config.yaml" => typeof(V1ConfigMap),
            "secrets.yaml" => typeof(V1Secret),
            "serviceaccount.yaml" => typeof(V1ServiceAccount),
            "role.yaml" => typeof(V1Role),
            "rolebinding.yaml" => typeof(V1RoleBinding),
            "networkpolicy.yaml" => typeof(V1NetworkPolicy),
            var other => throw new Xunit.Sdk.XunitException($"unexpected template {entry.Key} ({other})"),
        }, entry.Value.GetType()));
    }

    [Fact]
    public void The_strict_reading_refuses_an_unknown_field_and_a_number_where_a_string_belongs()
    {
        // The checker is real: one misspelt field, or a ConfigMap value left unquoted, fails.
        Assert.ThrowsAny<Exception>(() => StrictKubernetesObject.Parse("apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  typo: ClusterIP\n"));
        Assert.ThrowsAny<Exception>(() => StrictKubernetesObject.Parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  PORT: 9020\n"));
        StrictKubernetesObject.Parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  PORT: \"9020\"\n");
    }

    [Fact]
    public void The_renderer_takes_the_subset_and_refuses_everything_else()
    {
        var values = new System.Text.Json.Nodes.JsonObject { ["a"] = new System.Text.Json.Nodes.JsonObject { ["b"] = "x\"y", ["empty"] = "" } };
        string Render(string template) => HelmTemplate.Render(template, values, "release", "ns");

        Assert.Equal("v: \"x\\\"y\" release ns eCJ5", Render("v: {{ .Values.a.b | quote }} {{ .Release.Name }} {{ .Release.Namespace }} {{ .Values.a.b | b64enc }}"));
        Assert.Equal("x\"y", Render("{{ required \"a.b is required\" .Values.a.b }}"));
        Assert.Contains("a.empty is required", Assert.Throws<HelmTemplateException>(() => Render("{{ required \"a.empty is required\" .Values.a.empty }}")).Message);
        Assert.Throws<HelmTemplateException>(() => Render("{{ .Values.a.missing }}"));
        Assert.Throws<HelmTemplateException>(() => Render("{{ .Values.a.b | upper }}"));
        Assert.Throws<HelmTemplateException>(() => Render("{{ if .Values.a.b }}x{{ end }}"));
        Assert.Throws<HelmTemplateException>(() => Render("{{- .Values.a.b }}"));
        Assert.Throws<HelmTemplateException>(() => Render("{{ .Chart.Name }}"));
    }

    [Fact]
    public async Task The_proxy_gets_its_gen0_budget_in_the_cluster_as_locally()
    {
        // The runtime reads it from the environment only: a chart without it would run the proxy on a larger heap.
        var objects = (await PublishedChart.PublishAsync(_output)).Objects();

        var proxy = Assert.IsType<V1ConfigMap>(objects["templates/ssh-proxy/config.yaml"]).Data;
        Assert.Equal("0x200000", proxy["DOTNET_GCgen0size"]);
    }

    [Fact]
    public async Task Services_find_each_other_by_Aspire_names_at_in_cluster_Services()
    {
        var chart = await PublishedChart.PublishAsync(_output);
        var objects = chart.Objects();

        var proxy = Assert.IsType<V1ConfigMap>(objects["templates/ssh-proxy/config.yaml"]).Data;
        Assert.Equal("http://identity:9020", proxy["services__identity__grpc__0"]);
        Assert.Equal("http://provisioner:9030", proxy["services__provisioner__grpc__0"]);
        Assert.Equal("http://sessions:9010", proxy["services__sessions__grpc__0"]);
        var natsPassword = chart.InstallValues()["secrets"]!["nats_password"]!.GetValue<string>();
        foreach (var service in new[] { "ssh-proxy", "provisioner", "shield" })
        {
            Assert.Equal($"nats://nats:{natsPassword}@nats:4222", Assert.IsType<V1Secret>(objects[$"templates/{service}/secrets.yaml"]).StringData["ConnectionStrings__nats"]);
        }
        // Each address is a Service port that leads to the container port of the same name.
        var identity = Assert.IsType<V1Service>(objects["templates/identity/service.yaml"]);
        var grpc = Assert.Single(identity.Spec.Ports, port => port.Name == "grpc");
        Assert.Equal((9020, "grpc", "ClusterIP"), (grpc.Port, grpc.TargetPort.Value, identity.Spec.Type));
        Assert.Contains(Assert.IsType<V1Deployment>(objects["templates/identity/deployment.yaml"]).Spec.Template.Spec.Containers[0].Ports, port => port is { Name: "grpc", ContainerPort: 9020 });
        Assert.Equal(4222, Assert.Single(Assert.IsType<V1Service>(objects["templates/nats/service.yaml"]).Spec.Ports).Port);
        // The Provisioner's Kubernetes backend: in the workspace namespace, gateway pods from the release's.
        var provisioner = Assert.IsType<V1ConfigMap>(objects["templates/provisioner/config.yaml"]).Data;
        Assert.Equal("kubernetes", provisioner["Provisioner__Backend"]);
        Assert.Equal("k8shell-workspaces", provisioner["Provisioner__Kubernetes__Namespace"]);
        Assert.Equal(PublishedChart.ReleaseNamespace, provisioner["Provisioner__Kubernetes__GatewayNamespace"]);
        Assert.Equal("http://identity:9021/.well-known/jwks.json", provisioner["Provisioner__Kubernetes__JwksUrl"]);
    }

    [Fact]
    public async Task Both_sides_of_a_caller_token_read_one_secret_value()
    {
        var chart = await PublishedChart.PublishAsync(_output);
        var objects = chart.Objects();
        string Secret(string resource, string key) => Assert.IsType<V1Secret>(objects[$"templates/{resource}/secrets.yaml"]).StringData[key];

        Assert.Equal("secretprovisioneridentitytoken", Secret("identity", "Identity__Callers__StaticTokens__provisioner"));
        Assert.Equal("secretprovisioneridentitytoken", Secret("provisioner", "Services__identity__Token"));
        Assert.Equal(Secret("sessions", "Sessions__Callers__StaticTokens__ssh-proxy"), Secret("ssh-proxy", "Services__sessions__Token"));
        // NATS gets its password from its Secret through $(NATS_PASSWORD), not in the pod spec.
        var nats = Assert.IsType<V1StatefulSet>(objects["templates/nats/statefulset.yaml"]).Spec.Template.Spec.Containers[0];
        Assert.Equal(["--user", "nats", "--pass", "$(NATS_PASSWORD)", "-js", "-sd", "/var/lib/nats"], nats.Args);
        Assert.Equal("secretnatspassword", Secret("nats", "NATS_PASSWORD"));
    }

    [Fact]
    public async Task No_secret_of_a_local_run_reaches_the_chart_and_an_install_without_secrets_fails()
    {
        // What a local run would use, given as a local run takes them.
        var canaries = new[] { "nats-password", "provisioner-identity-token", "ssh-proxy-provisioner-token", "ssh-proxy-sessions-token" }
            .ToDictionary(name => $"Parameters__{name}", name => (string?)$"LocalRunSecret{name.Replace("-", "")}");
        var chart = await PublishedChart.PublishAsync(_output, canaries);

        Assert.All(chart.Files, file => Assert.All(canaries.Values, canary => Assert.DoesNotContain(canary!, file.Value)));
        Assert.All(chart.Values["secrets"]!.AsObject(), secret => Assert.Equal("", secret.Value!.GetValue<string>()));
        Assert.DoesNotContain("127.0.0.1", string.Concat(chart.Files.Values));
        var failure = Assert.Throws<HelmTemplateException>(() => chart.Render("templates/nats/secrets.yaml", chart.Values));
        Assert.Contains("secrets.nats_password is required", failure.Message);
    }

    [Fact]
    public async Task Without_an_output_path_it_is_an_error()
    {
        await using var missing = AppHostProcess.Start(["--publisher", "kubernetes"], new Dictionary<string, string?>());

        Assert.Equal(2, await missing.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("--output-path", missing.Output);
    }

    public void Dispose() => Directory.Delete(_output, recursive: true);
}
