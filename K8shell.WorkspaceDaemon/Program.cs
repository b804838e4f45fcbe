using K8shell.ServiceDefaults;
using K8shell.WorkspaceDaemon.Handshake;
using K8shell.WorkspaceDaemon.Processes;
using K8shell.WorkspaceDaemon.Tunnels;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.MapGrpcService<SystemGrpcService>();
app.MapGrpcService<ProcessGrpcService>();
app.MapGrpcService<TunnelGrpcService>();
app.MapDefaultEndpoints();

app.Run();
