using K8shell.Database;
using K8shell.Identity;
using K8shell.Identity.Passwords;
using K8shell.Identity.Repositories;
using K8shell.Identity.Store;
using K8shell.Identity.Tokens;
using K8shell.Identity.Users;
using K8shell.Identity.Users.Files;
using K8shell.Identity.Users.OAuth;
using K8shell.ServiceDefaults;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCallerAuthentication("Identity:Callers", audience: "identity");
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.Section);
builder.Services.AddSingleton(services => ServiceDatabase.Open(builder.Configuration,
    Path.GetFullPath(services.GetRequiredService<IOptions<IdentityOptions>>().Value.DataDirectory, builder.Environment.ContentRootPath), "identity.db"));
builder.Services.AddSingleton<StoreSchema>();
builder.Services.AddSingleton<UserCache>();
builder.Services.AddSingleton<PasswordFailures>();
builder.Services.AddSingleton<DeviceFlows>();
builder.Services.AddSingleton<FileUserProvider>();
builder.Services.AddSingleton<OAuthProviders>();
builder.Services.AddSingleton<UserDirectory>();
builder.Services.AddOptions<PasswordOptions>().BindConfiguration(PasswordOptions.Section);
builder.Services.AddSingleton<PasswordLogin>();
builder.Services.AddSingleton<DeviceFlowOnboarding>();
builder.Services.AddSingleton<RepositoryBlueprints>();
builder.Services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section);
builder.Services.AddSingleton<SigningKeys>();
builder.Services.AddSingleton<TokenIssuer>();
builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<DependencyFailures>());

var app = builder.Build();
// Read the user files, the providers and the signing keys (generated on first start), and bring the
// store's schema up to date now: a problem stops the service here, with the reason in the log.
app.Services.GetRequiredService<FileUserProvider>();
app.Services.GetRequiredService<OAuthProviders>();
_ = app.Services.GetRequiredService<SigningKeys>().Current;
await app.Services.GetRequiredService<StoreSchema>().MigrateAsync(app.Lifetime.ApplicationStopping);

app.UseAuthentication();
app.UseAuthorization();
app.MapGrpcService<IdentityGrpcService>().RequireAuthorization();
app.MapJwks();
app.MapDefaultEndpoints();

app.Run();
