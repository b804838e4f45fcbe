using K8shell.ServiceDefaults;
using K8shell.WorkspaceDaemon.Handshake;
using K8shell.WorkspaceDaemon.Processes;
using K8shell.WorkspaceDaemon.Security;
using K8shell.WorkspaceDaemon.Tunnels;
using K8shell.WorkspaceDaemon.Workspace;

var builder = WebApplication.CreateBuilder(args);

// The Provisioner writes the workspace's settings (WorkspaceOptions, Auth) to a JSON file.
if (Environment.GetEnvironmentVariable("K8SHELLD_CONFIG") is { Length: > 0 } configFile)
{
    builder.Configuration.AddJsonFile(configFile, optional: false, reloadOnChange: false);
}

builder.AddServiceDefaults();
builder.AddCallerAuthentication();
builder.AddWorkspace();
builder.AddTunnels();
// The proxy sends channel data in SSH-packet-sized pieces; anything far larger is not from it.
builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = 1024 * 1024);

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapGrpcService<SystemGrpcService>().RequireAuthorization(CallerAuthentication.OwnerPolicy);
app.MapGrpcService<ProcessGrpcService>().RequireAuthorization(CallerAuthentication.OwnerPolicy);
app.MapGrpcService<TunnelGrpcService>().RequireAuthorization(CallerAuthentication.OwnerPolicy);
app.MapDefaultEndpoints();

app.Run();
