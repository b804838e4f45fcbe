using Grpc.Core;
using K8shell.ServiceDefaults.Callers;
using Microsoft.Extensions.Options;

namespace K8shell.ServiceDefaults.ServiceClients;

/// <summary>
/// The credential a call to another service carries: the static <see cref="ServiceClientOptions.Token"/>, or the
/// current contents of <see cref="ServiceClientOptions.TokenFile"/>, read for each call so a rotated token is used
/// at once. Neither is ever logged or put in a message.
/// </summary>
internal sealed class ServiceCredentials(IOptionsMonitor<ServiceClientOptions> options)
{
    /// <summary>The credential for <paramref name="service"/>; an unreadable file fails the call as Unauthenticated, saying which file.</summary>
    public async Task<string> GetAsync(string service, CancellationToken cancellationToken)
    {
        var settings = options.Get(service);
        if (string.IsNullOrEmpty(settings.TokenFile))
        {
            return settings.Token!;
        }
        try
        {
            return await ClusterFiles.ReadTokenAsync(settings.TokenFile, cancellationToken);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"no credential for {service}: {ServiceClientOptions.Section}:{service}:TokenFile {ClusterFiles.Explain(settings.TokenFile, failure)}"));
        }
    }
}
