using K8shell.Identity;
using K8shell.Identity.Callers;
using K8shell.Identity.Tokens;
using K8shell.Identity.Users;
using K8shell.Identity.Users.Files;
using K8shell.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCallerAuthentication();
builder.Services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.Section);
builder.Services.AddSingleton<FileUserProvider>();
builder.Services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section);
builder.Services.AddSingleton<SigningKeys>();
builder.Services.AddSingleton<TokenIssuer>();

var app = builder.Build();
// Read the user files and the signing keys now (generated on first start): a problem stops the service here.
app.Services.GetRequiredService<FileUserProvider>();
_ = app.Services.GetRequiredService<SigningKeys>().Current;

app.UseAuthentication();
app.UseAuthorization();
app.MapGrpcService<IdentityGrpcService>().RequireAuthorization();
app.MapJwks();
app.MapDefaultEndpoints();

app.Run();
