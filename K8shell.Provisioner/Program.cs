using K8shell.Contracts.Identity.V1;
using K8shell.Provisioner.Blueprints;
using K8shell.Provisioner.Workspaces;
using K8shell.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCallerAuthentication("Provisioner:Callers", audience: "provisioner");
builder.AddNatsClient("nats");
builder.Services.AddOptions<BlueprintOptions>().BindConfiguration(BlueprintOptions.Section);
builder.Services.AddSingleton<BlueprintCatalog>();
builder.Services.AddServiceGrpcClient<IdentityService.IdentityServiceClient>("identity");
builder.AddWorkspaces();
builder.Services.AddGrpc();

var app = builder.Build();
// Read the blueprints now: a bad set stops the service here, naming the file, line and field.
app.Services.GetRequiredService<BlueprintCatalog>();

app.UseAuthentication();
app.UseAuthorization();
app.MapGrpcService<ProvisionerGrpcService>().RequireAuthorization();
app.MapDefaultEndpoints();

app.Run();
