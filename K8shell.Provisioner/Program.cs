using K8shell.Provisioner.Blueprints;
using K8shell.Provisioner.Workspaces;
using K8shell.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddOptions<BlueprintOptions>().BindConfiguration(BlueprintOptions.Section);
builder.Services.AddSingleton<BlueprintCatalog>();

var app = builder.Build();
// Read the blueprints now: a bad set stops the service here, naming the file, line and field.
app.Services.GetRequiredService<BlueprintCatalog>();

app.MapGrpcService<ProvisionerGrpcService>();
app.MapDefaultEndpoints();

app.Run();
