using K8shell.Contracts.Identity.V1;
using K8shell.Provisioner.Blueprints;
using K8shell.Provisioner.Workspaces;
using K8shell.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNatsClient("nats");
builder.Services.AddOptions<BlueprintOptions>().BindConfiguration(BlueprintOptions.Section);
builder.Services.AddSingleton<BlueprintCatalog>();
var identityToken = builder.Configuration["Services:identity:Token"];
builder.Services.AddGrpcClient<IdentityService.IdentityServiceClient>(client => client.Address = new Uri(builder.Configuration["services:identity:grpc:0"]!))
    .AddCallCredentials((_, metadata) =>
    {
        metadata.Add("authorization", $"Bearer {identityToken}");
        return Task.CompletedTask;
    })
    .ConfigureChannel(channel => channel.UnsafeUseInsecureChannelCallCredentials = true);
builder.AddWorkspaces();
builder.Services.AddGrpc();

var app = builder.Build();
// Read the blueprints now: a bad set stops the service here, naming the file, line and field.
app.Services.GetRequiredService<BlueprintCatalog>();

app.MapGrpcService<ProvisionerGrpcService>();
app.MapDefaultEndpoints();

app.Run();
