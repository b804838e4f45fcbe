using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using K8shell.Testing.Kubernetes;

namespace K8shell.Testing.Tests.Kubernetes;

/// <summary>An emulator and a real KubernetesClient configured from the kubeconfig it writes, as the Provisioner will be.</summary>
internal sealed class EmulatedCluster : IAsyncDisposable
{
    private EmulatedCluster(KubernetesEmulator emulator, IKubernetes client)
    {
        Emulator = emulator;
        Client = client;
    }

    public KubernetesEmulator Emulator { get; }

    public IKubernetes Client { get; }

    public SimulatedKubelet Kubelet => Emulator.Kubelet ?? throw new InvalidOperationException("this cluster runs without a kubelet");

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<EmulatedCluster> StartAsync(KubernetesEmulatorOptions? options = null)
    {
        var emulator = await KubernetesEmulator.StartAsync(options, Token);
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(emulator.WriteKubeconfig());
        return new EmulatedCluster(emulator, new k8s.Kubernetes(configuration));
    }

    /// <summary>Runs <paramref name="call"/>, which must fail; the HTTP code and the Status the server answered with.</summary>
    public static async Task<(HttpStatusCode Code, V1Status Status)> RefusalAsync(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(call);
        var status = JsonSerializer.Deserialize<V1Status>(error.Response.Content, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        return (error.Response.StatusCode, status);
    }

    /// <summary>Reads until <paramref name="condition"/> holds (10 s at most); fails with the last value read when it never does.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"never happened; last seen: {KubernetesJson.Serialize(value)}");
            await Task.Delay(20, Token);
        }
    }

    /// <summary>Reads the pod until <paramref name="condition"/> holds; fails with the pod and its events when it never does.</summary>
    public async Task<V1Pod> WaitForPodAsync(string name, Func<V1Pod, bool> condition, string what, string ns = "default", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var pod = await Client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: Token);
            if (condition(pod))
            {
                return pod;
            }
            if (DateTime.UtcNow > deadline)
            {
                var events = await EventsAsync(name, ns);
                Assert.Fail($"pod {ns}/{name} never {what}.\nPod: {KubernetesJson.Serialize(pod)}\nEvents: {string.Join("\n", events.Select(e => $"{e.Type} {e.Reason} x{e.Count}: {e.Message}"))}");
            }
            await Task.Delay(20, Token);
        }
    }

    /// <summary>The events about one object, oldest first.</summary>
    public async Task<IList<Corev1Event>> EventsAsync(string involvedName, string ns = "default")
    {
        var list = await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={involvedName}", cancellationToken: Token);
        return list.Items;
    }

    public static V1ObjectMeta Meta(string name, IDictionary<string, string>? labels = null) => new() { Name = name, Labels = labels };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }
}
