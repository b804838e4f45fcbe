using K8shell.Provisioner.Kubernetes;
using K8shell.Provisioner.Workspaces;
using K8shell.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static K8shell.Provisioner.Tests.Kubernetes.WorkspaceCluster;

namespace K8shell.Provisioner.Tests.Kubernetes;

/// <summary>What callers see when the API server is away or says no, and settings refused at start.</summary>
public sealed class KubernetesErrorTests
{
    [Fact]
    public async Task An_unreachable_api_server_is_unavailable_and_the_message_says_where()
    {
        var folder = Directory.CreateTempSubdirectory("k8shell-kubeconfig-");
        try
        {
            var port = FreePort.Next();
            var kubeconfig = Path.Combine(folder.FullName, "config");
            await File.WriteAllTextAsync(kubeconfig, $"""
                apiVersion: v1
                kind: Config
                clusters:
                - name: gone
                  cluster:
                    server: http://127.0.0.1:{port}
                users:
                - name: gone
                  user:
                    token: t
                contexts:
                - name: gone
                  context:
                    cluster: gone
                    user: gone
                current-context: gone
                """, Token);
            using var backend = new KubernetesBackend(Options.Create(new KubernetesBackendOptions
            {
                Namespace = Namespace,
                Kubeconfig = kubeconfig,
                K8shelldImage = K8shelldImage,
                JwksUrl = "http://identity/.well-known/jwks.json",
            }), NullLogger<KubernetesBackend>.Instance);

            var find = await Assert.ThrowsAsync<WorkspaceBackendUnavailableException>(() => backend.FindAsync("alice-0000000", Token));
            Assert.StartsWith($"the Kubernetes API server at http://127.0.0.1:{port} cannot be reached (to read pod \"alice-0000000\"): ", find.Message);
            Assert.Contains("Connection refused", find.Message);

            var apply = await Assert.ThrowsAsync<WorkspaceBackendUnavailableException>(async () =>
            {
                await foreach (var _ in backend.ApplyAsync(Specs.Of("alice~dev"), Token))
                {
                }
            });
            Assert.Contains($"http://127.0.0.1:{port} cannot be reached", apply.Message);
            await Assert.ThrowsAsync<WorkspaceBackendUnavailableException>(() => backend.ListAsync(Token));
            await Assert.ThrowsAsync<WorkspaceBackendUnavailableException>(() => backend.DeleteAsync("alice-0000000", Token));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_object_the_api_server_refuses_is_named_with_the_reason_it_gave()
    {
        await using var cluster = await StartAsync();
        // A file name a config map key cannot hold.
        var spec = Specs.Of("alice~dev", Specs.Dev with { ExtFiles = new Dictionary<string, string> { ["/etc/my notes"] = "x" } });

        var refused = await Assert.ThrowsAsync<KubernetesRefusedException>(async () =>
        {
            await foreach (var _ in cluster.Backend.ApplyAsync(spec, Token))
            {
            }
        });

        Assert.Equal((422, "Invalid"), (refused.StatusCode, refused.Reason));
        Assert.StartsWith($"Kubernetes refused to apply config map \"{spec.Name}-files\" in \"{Namespace}\": 422 Invalid: ", refused.Message);
        Assert.Contains("__etc__my notes", refused.Message);
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused_at_start_naming_the_key()
    {
        var result = new KubernetesBackendOptionsValidation().Validate(null, new KubernetesBackendOptions
        {
            Namespace = "Workspaces",
            Kubeconfig = "/nonexistent/kubeconfig",
            K8shelldPath = "k8shelld",
            JwksUrl = "identity/jwks",
            ServiceCidr = "10.96.0.0/40",
        });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        foreach (var key in new[] { "Namespace", "Kubeconfig", "K8shelldImage", "K8shelldPath", "JwksUrl", "ServiceCidr" })
        {
            Assert.Contains(failures, failure => failure.StartsWith($"Provisioner:Kubernetes:{key}: ", StringComparison.Ordinal));
        }
    }
}
