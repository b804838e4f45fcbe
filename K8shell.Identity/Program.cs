using K8shell.Identity.Users;
using K8shell.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.MapGrpcService<IdentityGrpcService>();
app.MapDefaultEndpoints();

app.Run();
