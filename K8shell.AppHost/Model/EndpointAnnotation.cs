namespace K8shell.AppHost.Model;

/// <summary>
/// A port a resource listens on. Mutable like Aspire's, so <c>WithEndpoint("http", e => e.IsExternal = true)</c> reads naturally.
/// </summary>
public sealed record EndpointAnnotation(string Name, string Scheme) : IResourceAnnotation
{
    /// <summary><c>http2</c> for gRPC (azd then gives the ingress HTTP/2), <c>http</c> for HTTP/1.1, <c>tcp</c> otherwise.</summary>
    public string Transport { get; set; } = Scheme is "http" or "https" ? "http" : "tcp";

    /// <summary>The port others use; locally the port it listens on (a random free one when not set).</summary>
    public int? Port { get; set; }

    /// <summary>The port the workload listens on when deployed.</summary>
    public int? TargetPort { get; set; }

    /// <summary>Reachable from outside the deployment (azd: external ingress).</summary>
    public bool IsExternal { get; set; }

    /// <summary>Set to the endpoint's port in this variable, for programs that take their port from one.</summary>
    public string? EnvironmentVariable { get; set; }

    /// <summary>Where it listens in this local run; assigned by the runner before anything starts.</summary>
    public AllocatedEndpoint? Allocated { get; set; }

    public bool IsHttp => Scheme is "http" or "https";
}

/// <summary>An endpoint's address in this local run.</summary>
public sealed record AllocatedEndpoint(string Scheme, string Host, int Port)
{
    public string Url => $"{Scheme}://{Host}:{Port}";
}
