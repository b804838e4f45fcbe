using System.Text.Json.Nodes;
using K8shell.Provisioner.Blueprints;
using K8shell.Provisioner.Kubernetes;
using K8shell.Provisioner.Workspaces;
using K8shell.Testing.Kubernetes;
using K8shell.UserStrings;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8shell.Provisioner.Tests.Kubernetes;

/// <summary>
/// The API-server emulator with its simulated kubelet and a <see cref="KubernetesBackend"/> configured
/// from the kubeconfig it writes, as the Provisioner would be in a cluster.
/// </summary>
internal sealed class WorkspaceCluster : IAsyncDisposable
{
    public const string Namespace = "workspaces";
    public const string Registry = "registry.k8shell.test";
    public const string K8shelldImage = "k8shell/k8shelld:0.1.0";

    private WorkspaceCluster(KubernetesEmulator emulator, KubernetesBackendOptions options)
    {
        Emulator = emulator;
        Options = options;
        Backend = new KubernetesBackend(Microsoft.Extensions.Options.Options.Create(options), NullLogger<KubernetesBackend>.Instance);
    }

    public KubernetesEmulator Emulator { get; }

    public SimulatedKubelet Kubelet => Emulator.Kubelet!;

    public KubernetesBackendOptions Options { get; }

    public KubernetesBackend Backend { get; }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<WorkspaceCluster> StartAsync(KubeletOptions? kubelet = null, Action<KubernetesBackendOptions>? configure = null, TimeSpan? bookmarks = null)
    {
        var emulator = await KubernetesEmulator.StartAsync(new KubernetesEmulatorOptions
        {
            Namespaces = [Namespace],
            Kubelet = kubelet ?? new KubeletOptions(),
            BookmarkInterval = bookmarks ?? TimeSpan.FromSeconds(1),
        }, Token);
        var options = new KubernetesBackendOptions
        {
            Namespace = Namespace,
            Kubeconfig = emulator.WriteKubeconfig(Namespace),
            K8shelldImage = K8shelldImage,
            DefaultRegistry = Registry,
            JwksUrl = "http://identity.k8shell.svc:9031/.well-known/jwks.json",
            Issuer = "http://identity.k8shell.svc:9031",
        };
        configure?.Invoke(options);
        Assert.True(new KubernetesBackendOptionsValidation().Validate(null, options).Succeeded);
        return new WorkspaceCluster(emulator, options);
    }

    /// <summary>Applies <paramref name="spec"/> and collects every progress report until the apply ends (a minute at most).</summary>
    public async Task<List<WorkspaceProgress>> ApplyAsync(WorkspaceSpec spec, Action<WorkspaceProgress>? onEach = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        var reports = new List<WorkspaceProgress>();
        await foreach (var report in Backend.ApplyAsync(spec, timeout.Token))
        {
            reports.Add(report);
            onEach?.Invoke(report);
        }
        return reports;
    }

    /// <summary>An object as the emulator stores it, which must exist.</summary>
    public JsonObject Stored(string resource, string name) =>
        Emulator.Find(resource, Namespace, name) ?? throw new Xunit.Sdk.XunitException($"no {resource} \"{name}\" in {Namespace}");

    /// <summary>Names of the stored objects of a kind labelled with the workspace's canonical ID.</summary>
    public List<string> Labelled(string resource, string id) =>
        Emulator.FindAll(resource, Namespace)
            .Where(obj => obj["metadata"]?["labels"]?[WorkspaceLabels.CanonicalId]?.GetValue<string>() == id)
            .Select(obj => obj["metadata"]!["name"]!.GetValue<string>())
            .ToList();

    public static string Stages(IEnumerable<WorkspaceProgress> reports) =>
        string.Join(", ", reports.Where(report => !report.IsBackendEvent).Select(report => report.Stage));

    public async ValueTask DisposeAsync()
    {
        Backend.Dispose();
        await Emulator.DisposeAsync();
    }
}

/// <summary>Workspace specs as the Provisioner resolves them, with the blueprint fields the backend turns into objects.</summary>
internal static class Specs
{
    public static readonly WorkspaceOwner Alice = new("alice", 1000, 1000, "/bin/bash", "Acme Corp", "alice@acme.test", "Alice Liddell", Sudo: false);

    public static Blueprint Dev => new()
    {
        Name = "dev",
        Image = "debian:12",
        Splash = "Welcome to dev, {{.Username}}.",
        Env = new Dictionary<string, string> { ["EDITOR"] = "vim", ["LANG"] = "C.UTF-8" },
        Resources = new ResourceLimits("2", "4Gi"),
        Storages = new Dictionary<string, Storage>
        {
            ["home"] = new("local", "/home"),
            ["cache"] = new("emptyDir", "/var/cache/work", SizeLimit: "1Gi"),
            ["scratch"] = new("memory", "/scratch", SizeLimit: "256Mi"),
            ["datasets"] = new("shared", "/data", ReadOnly: true, Id: "v1"),
        },
        InitScripts = [new InitScript("profile", "echo hello >> ~/.profile"), new InitScript("tools", "mkdir -p ~/bin")],
        Network = new NetworkSettings("workspace", ["192.168.10.0/24"]),
        ExtFiles = new Dictionary<string, string> { ["/etc/motd"] = "Have fun\n", ["/etc/k8shell-extra/settings.conf"] = "a=1\n" },
    };

    public static WorkspaceSpec Of(string userString, Blueprint? blueprint = null, WorkspaceOwner? owner = null, string? jobId = null)
    {
        var parsed = UserStringParser.Parse(userString);
        blueprint ??= Dev;
        if (parsed.Form == UserStringForm.Implicit)
        {
            parsed = parsed.WithBlueprint(blueprint.Name);
        }
        owner ??= Alice with { Username = parsed.Username };
        return new WorkspaceSpec(parsed.CanonicalId, parsed, owner, blueprint, jobId ?? Guid.NewGuid().ToString());
    }
}
