namespace K8shell.AppHost.Model;

/// <summary><c>AddNats("nats").WithJetStream()</c>, as Aspire.Hosting.Nats has it.</summary>
public static class NatsBuilderExtensions
{
    private const string DataTarget = "/var/lib/nats";

    /// <summary>A NATS server with a generated password parameter <c>&lt;name&gt;-password</c> (22 characters, no specials, as Aspire's).</summary>
    public static IResourceBuilder<NatsServerResource> AddNats(this IDistributedApplicationBuilder builder, string name, int? port = null)
    {
        var password = builder.AddParameter($"{name}-password", new GenerateParameterDefault { MinLength = 22, Special = false }, secret: true);
        return builder.AddResource(new NatsServerResource(name, password.Resource))
            .WithEndpoint(port, NatsServerResource.DefaultPort, "tcp", NatsServerResource.PrimaryEndpointName)
            // Deployed only: locally NATS listens on loopback without auth, so the connection string has no credentials (PublishOnly).
            .WithArgs(context => context.Args.AddRange(context.ExecutionContext.IsPublishMode ? ["--user", NatsServerResource.UserName, "--pass", password.Resource] : []))
            .WithAnnotation(new TcpGreetingHealthCheckAnnotation(NatsServerResource.PrimaryEndpointName, "INFO "))
            .WithAnnotation(new LocalProcessAnnotation("nats-server", LocalArguments));
    }

    public static IResourceBuilder<NatsServerResource> WithJetStream(this IResourceBuilder<NatsServerResource> builder) =>
        builder.WithAnnotation(new JetStreamAnnotation()).WithArgs("-js");

    /// <summary>JetStream's storage on a volume (<c>-sd /var/lib/nats</c>); locally a folder of the data directory named after the resource.</summary>
    public static IResourceBuilder<NatsServerResource> WithDataVolume(this IResourceBuilder<NatsServerResource> builder, string? name = null) =>
        builder.WithVolume(name ?? $"{builder.Resource.Name}-data", DataTarget).WithArgs("-sd", DataTarget);

    private static IEnumerable<string> LocalArguments(LocalProcessContext context)
    {
        var nats = (NatsServerResource)context.Resource;
        yield return "-a";
        yield return "127.0.0.1";
        yield return "-p";
        yield return nats.PrimaryEndpoint.Property(EndpointProperty.Port).GetValue();
        if (nats.Annotations.OfType<JetStreamAnnotation>().Any())
        {
            yield return "-js";
        }
        if (nats.Annotations.OfType<ContainerVolumeAnnotation>().Any(volume => volume.Target == DataTarget))
        {
            yield return "-sd";
            yield return Path.Combine(context.DataDirectory, nats.Name);
        }
    }
}
