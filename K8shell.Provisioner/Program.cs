using K8shell.Provisioner.Workspaces;
using K8shell.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.MapGrpcService<ProvisionerGrpcService>();
app.MapDefaultEndpoints();

app.Run();
