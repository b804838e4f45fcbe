namespace K8shell.ServiceDefaults.ServiceClients;

/// <summary>
/// How this service calls the K8shell service <c>&lt;name&gt;</c> (section <c>Services:&lt;name&gt;</c>, named options
/// <c>&lt;name&gt;</c>). The same section holds the address the AppHost sets (<c>services:&lt;name&gt;:grpc:0</c>;
/// configuration keys ignore case), so everything about one dependency sits together.
/// </summary>
public sealed class ServiceClientOptions
{
    public const string Section = "Services";

    /// <summary>What a call carries as <c>authorization: Bearer …</c>: a static token the service lists among its callers (development).</summary>
    public string? Token { get; set; }

    /// <summary>
    /// A file holding the credential instead: a projected service-account token for the service's audience, in a
    /// cluster. Read again for every call, since the kubelet replaces it before it expires.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// How long a unary call may take when the caller gives no deadline of its own, and how long a connection may
    /// take to open: a dead dependency then answers DeadlineExceeded or Unavailable instead of hanging its callers.
    /// </summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(10);
}
