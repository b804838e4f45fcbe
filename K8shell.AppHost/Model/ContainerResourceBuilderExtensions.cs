namespace K8shell.AppHost.Model;

/// <summary><c>AddContainer</c> and its volumes.</summary>
public static class ContainerResourceBuilderExtensions
{
    public static IResourceBuilder<ContainerResource> AddContainer(this IDistributedApplicationBuilder builder, string name, string image, string tag = "latest") =>
        builder.AddResource(new ContainerResource(name, image, tag));

    /// <summary>A named volume (data kept across restarts), mounted at <paramref name="target"/>.</summary>
    public static IResourceBuilder<T> WithVolume<T>(this IResourceBuilder<T> builder, string name, string target, bool isReadOnly = false)
        where T : ContainerResource =>
        builder.WithAnnotation(new ContainerVolumeAnnotation(name, target, isReadOnly));
}
