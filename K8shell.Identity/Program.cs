using K8shell.Identity.Users;
using K8shell.Identity.Users.Files;
using K8shell.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddOptions<UserFilesOptions>().BindConfiguration(UserFilesOptions.Section);
builder.Services.AddSingleton<FileUserProvider>();

var app = builder.Build();
// Read the user files now: one that does not parse stops the service here, naming file and line.
app.Services.GetRequiredService<FileUserProvider>();

app.MapGrpcService<IdentityGrpcService>();
app.MapDefaultEndpoints();

app.Run();
