namespace K8shell.Testing.Kubernetes;

/// <summary>A kubeconfig file for the emulator: what any Kubernetes client (and the code under test) reads to find a cluster.</summary>
internal static class Kubeconfig
{
    /// <summary>The emulator accepts any bearer token; clients are given one so they send it as against a real cluster.</summary>
    public const string Token = "k8shell-emulator-token";

    public static string Render(string server, string defaultNamespace) => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: k8shell-emulator
          cluster:
            server: {{server}}
        users:
        - name: k8shell-emulator
          user:
            token: {{Token}}
        contexts:
        - name: k8shell-emulator
          context:
            cluster: k8shell-emulator
            user: k8shell-emulator
            namespace: {{defaultNamespace}}
        current-context: k8shell-emulator
        preferences: {}

        """;
}
