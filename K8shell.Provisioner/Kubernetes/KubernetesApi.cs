using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using K8shell.Provisioner.Workspaces;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// The client and the workspace namespace, with every call's failure turned into what the caller can act
/// on: an unreachable or failing API server is <see cref="WorkspaceBackendUnavailableException"/>, a refusal
/// is <see cref="KubernetesRefusedException"/> naming the object and the server's reason.
/// </summary>
internal sealed class KubernetesApi(IKubernetes client, string @namespace) : IDisposable
{
    public IKubernetes Client { get; } = client;

    public string Namespace { get; } = @namespace;

    /// <summary>Where the API server is, for messages.</summary>
    public string Server => Client.BaseUri?.ToString().TrimEnd('/') ?? "(unknown)";

    /// <summary>Runs one call; <paramref name="what"/> names it for messages (<c>create pod "alice-59936c3"</c>).</summary>
    public async Task<T> CallAsync<T>(string what, Func<IKubernetes, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(Client);
        }
        catch (Exception error) when (Translate(what, error, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Like <see cref="CallAsync"/>, but a 404 is null: the object is not there.</summary>
    public async Task<T?> FindAsync<T>(string what, Func<IKubernetes, Task<T>> call, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await CallAsync(what, call, cancellationToken);
        }
        catch (KubernetesRefusedException refused) when (refused.StatusCode == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A delete where an object already gone is fine.</summary>
    public Task DeleteAsync(string what, Func<IKubernetes, Task> call, CancellationToken cancellationToken) =>
        FindAsync(what, async client =>
        {
            await call(client);
            return new object();
        }, cancellationToken);

    /// <summary>What <paramref name="error"/> means to the caller; null for errors that pass unchanged (cancellation, bugs).</summary>
    public Exception? Translate(string what, Exception error, CancellationToken cancellationToken)
    {
        switch (error)
        {
            case HttpOperationException { Response: { } response }:
                var code = (int)response.StatusCode;
                var status = ReadStatus(response.Content);
                var reason = status?.Reason is { Length: > 0 } r ? r : response.StatusCode.ToString();
                var text = status?.Message is { Length: > 0 } m ? m : response.Content is { Length: > 0 } body ? body[..Math.Min(body.Length, 500)] : response.ReasonPhrase ?? "";
                if (code is 429 or >= 500)
                {
                    return new WorkspaceBackendUnavailableException($"the Kubernetes API server at {Server} failed to {what} in \"{Namespace}\": {code} {reason}: {text}");
                }
                return new KubernetesRefusedException($"Kubernetes refused to {what} in \"{Namespace}\": {code} {reason}: {text}", code, reason);
            case HttpRequestException request:
                return new WorkspaceBackendUnavailableException($"the Kubernetes API server at {Server} cannot be reached (to {what}): {request.Message}");
            case TaskCanceledException when !cancellationToken.IsCancellationRequested:
                return new WorkspaceBackendUnavailableException($"the Kubernetes API server at {Server} did not answer in time (to {what})");
            default:
                return null;
        }
    }

    private static V1Status? ReadStatus(string? content)
    {
        try
        {
            return string.IsNullOrEmpty(content) ? null : KubernetesJson.Deserialize<V1Status>(content);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public void Dispose() => Client.Dispose();
}
