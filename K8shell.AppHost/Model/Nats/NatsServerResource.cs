namespace K8shell.AppHost.Model;

/// <summary>
/// A NATS server: the <c>nats</c> image when deployed (user <c>nats</c>, password parameter); run locally without
/// auth on loopback, the same image through a container engine that answers, else nats-server.
/// </summary>
public sealed record NatsServerResource(string Name, ParameterResource Password)
    : ContainerResource(Name, NatsServerResource.DefaultImage, NatsServerResource.DefaultTag), IResourceWithConnectionString
{
    public const string DefaultImage = "docker.io/library/nats";
    public const string DefaultTag = "2.12";
    public const string UserName = "nats";
    public const string PrimaryEndpointName = "tcp";
    public const int DefaultPort = 4222;

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"nats://{new PublishOnly(ReferenceExpression.Create($"{UserName}:{Password}@"))}{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

/// <summary>The server runs with JetStream (<c>-js</c>).</summary>
public sealed record JetStreamAnnotation : IResourceAnnotation;
