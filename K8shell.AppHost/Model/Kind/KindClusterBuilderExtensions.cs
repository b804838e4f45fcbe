namespace K8shell.AppHost.Model;

/// <summary><c>AddKindCluster("cluster")</c>, as CommunityToolkit.Aspire.Hosting.Kind has it.</summary>
public static class KindClusterBuilderExtensions
{
    /// <summary>
    /// A cluster for workspaces: before the local run starts anything it picks the cluster (<see cref="KindClusterStartup"/>)
    /// and says which; with none, workspaces run as local processes.
    /// </summary>
    public static IResourceBuilder<KindClusterResource> AddKindCluster(this IDistributedApplicationBuilder builder, string name)
    {
        var cluster = builder.AddResource(new KindClusterResource(name));
        return cluster.WithAnnotation(new BeforeStartAnnotation(async context =>
            cluster.Resource.Connection = await new KindClusterStartup(context.ExecutionContext, context.Report)
                .ConnectAsync(cluster.Resource, context.CancellationToken)));
    }
}
