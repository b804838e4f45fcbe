namespace K8shell.AppHost;

/// <summary>Where the Provisioner runs workspaces in a local run: the cluster <c>AddKindCluster</c> picked, or local processes.</summary>
public static class WorkspaceClusterExtensions
{
    /// <summary>
    /// Not built or published yet: the Kubernetes backend's pods copy k8shelld from this image, which a developer
    /// loads into Kind (<c>kind load docker-image</c>) until a build makes it.
    /// </summary>
    public const string LocalK8shelldImage = "k8shell/k8shelld:dev";

    /// <summary>The namespace every cluster has, so a fresh Kind cluster needs nothing made before the first workspace.</summary>
    public const string LocalNamespace = "default";

    /// <summary>
    /// Locally: <c>Provisioner:Backend</c> <c>kubernetes</c> with the cluster's kubeconfig and context when
    /// <paramref name="cluster"/> has one, else <c>process</c>. Deployed: nothing (the chart configures it in-cluster).
    /// </summary>
    public static IResourceBuilder<T> WithWorkspaceCluster<T>(this IResourceBuilder<T> provisioner, IResourceBuilder<KindClusterResource> cluster, IResourceBuilder<IResourceWithEndpoints> identity)
        where T : IResourceWithEnvironment =>
        provisioner.WithEnvironment(context =>
        {
            if (!context.ExecutionContext.IsRunMode)
            {
                return;
            }
            var variables = context.EnvironmentVariables;
            if (cluster.Resource.Connection is not { } connection)
            {
                variables["Provisioner__Backend"] = "process";
                return;
            }
            variables["Provisioner__Backend"] = "kubernetes";
            variables["Provisioner__Kubernetes__Kubeconfig"] = connection.Kubeconfig;
            if (connection.Context.Length > 0)
            {
                variables["Provisioner__Kubernetes__Context"] = connection.Context;
            }
            variables["Provisioner__Kubernetes__Namespace"] = LocalNamespace;
            variables["Provisioner__Kubernetes__K8shelldImage"] = LocalK8shelldImage;
            // The address this machine has for Identity; pods reach it only if the cluster can reach this machine's loopback.
            variables["Provisioner__Kubernetes__JwksUrl"] = ReferenceExpression.Create($"{identity.GetEndpoint("http")}/.well-known/jwks.json");
        });
}
