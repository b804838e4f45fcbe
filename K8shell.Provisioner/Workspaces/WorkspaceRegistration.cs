using K8shell.Provisioner.Jobs;
using K8shell.Provisioner.Kubernetes;
using K8shell.Provisioner.Process;

namespace K8shell.Provisioner.Workspaces;

/// <summary>The workspace API and the backend chosen by <c>Provisioner:Backend</c> (<c>process</c>, the default, or <c>kubernetes</c>).</summary>
internal static class WorkspaceRegistration
{
    public const string BackendKey = "Provisioner:Backend";

    public static WebApplicationBuilder AddWorkspaces(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RepositoryBlueprints>();
        builder.Services.AddSingleton<WorkspaceResolver>();
        builder.Services.AddOptions<JobRecordOptions>().BindConfiguration(JobRecordOptions.Section);
        builder.Services.AddSingleton<JobRecords>();
        builder.Services.AddSingleton<ProvisionJobs>();

        switch (builder.Configuration[BackendKey] ?? "process")
        {
            case "process":
                builder.AddProcessBackend();
                break;
            case "kubernetes":
                builder.Services.AddKubernetesBackend(builder.Configuration);
                break;
            case var other:
                throw new InvalidOperationException($"{BackendKey} is \"{other}\"; it must be \"process\" or \"kubernetes\"");
        }
        return builder;
    }

    private static void AddProcessBackend(this WebApplicationBuilder builder)
    {
        var identityHttp = builder.Configuration["services:identity:http:0"];
        builder.Services.AddOptions<ProcessBackendOptions>().BindConfiguration(ProcessBackendOptions.Section)
            .PostConfigure(options => options.JwksUrl ??= identityHttp is { Length: > 0 } ? new Uri(new Uri(identityHttp), "/.well-known/jwks.json") : null)
            .Validate(options => options.JwksUrl is not null,
                $"{ProcessBackendOptions.Section}:JwksUrl is not set, and there is no services:identity:http:0 to find Identity's JWKS at")
            .ValidateOnStart();
        builder.Services.AddSingleton<DaemonProbe>();
        builder.Services.AddSingleton<ProcessBackend>();
        builder.Services.AddSingleton<IWorkspaceBackend>(services => services.GetRequiredService<ProcessBackend>());
        builder.Services.AddHostedService<DaemonLifetime>();
    }
}
