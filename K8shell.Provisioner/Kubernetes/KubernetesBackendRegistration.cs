using K8shell.Provisioner.Workspaces;
using Microsoft.Extensions.Options;

namespace K8shell.Provisioner.Kubernetes;

public static class KubernetesBackendRegistration
{
    /// <summary>
    /// The Kubernetes backend as the <c>IWorkspaceBackend</c>, its options from <c>Provisioner:Kubernetes</c>
    /// checked at start: a bad value stops the Provisioner naming the key.
    /// </summary>
    public static IServiceCollection AddKubernetesBackend(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KubernetesBackendOptions>().Bind(configuration.GetSection(KubernetesBackendOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KubernetesBackendOptions>, KubernetesBackendOptionsValidation>();
        services.AddSingleton<KubernetesBackend>();
        services.AddSingleton<IWorkspaceBackend>(provider => provider.GetRequiredService<KubernetesBackend>());
        return services;
    }
}
