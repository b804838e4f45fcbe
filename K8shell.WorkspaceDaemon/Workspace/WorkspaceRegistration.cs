using K8shell.WorkspaceDaemon.Handshake;
using K8shell.WorkspaceDaemon.InitScripts;
using K8shell.WorkspaceDaemon.Processes;
using Microsoft.Extensions.Options;

namespace K8shell.WorkspaceDaemon.Workspace;

public static class WorkspaceRegistration
{
    /// <summary>
    /// The workspace's options (validated at start: a bad value stops the daemon naming the key), its
    /// account, the processes run for it, and its init scripts (the daemon is not healthy until they ran).
    /// </summary>
    public static WebApplicationBuilder AddWorkspace(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkspaceOptions>().BindConfiguration(WorkspaceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(services => WorkspaceAccount.Resolve(services.GetRequiredService<IOptions<WorkspaceOptions>>().Value));
        builder.Services.AddSingleton<UserProcesses>();
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<ProcessStarter>();
        builder.Services.AddHostedService<SessionShutdown>();
        builder.Services.AddSingleton<SystemInfoReader>();
        builder.Services.AddSingleton<InitScriptRunner>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InitScriptRunner>());
        builder.Services.AddHealthChecks().AddCheck<InitScriptRunner>("init-scripts");
        return builder;
    }
}
