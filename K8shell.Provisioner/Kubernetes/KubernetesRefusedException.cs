namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// The API server refused a request (403 Forbidden, 422 Invalid, ...); the message names the object and
/// gives the server's reason, e.g. <c>create pod "alice-59936c3" in "workspaces": 403 Forbidden: ...</c>.
/// </summary>
internal sealed class KubernetesRefusedException(string message, int statusCode, string reason) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The Status reason (<c>Forbidden</c>, <c>Invalid</c>, <c>AlreadyExists</c>...).</summary>
    public string Reason { get; } = reason;
}
