using K8shell.Database;
using K8shell.ServiceDefaults;
using K8shell.Sessions;
using K8shell.Sessions.Recording;
using K8shell.Sessions.Records;
using K8shell.Sessions.Replay;
using K8shell.Sessions.Store;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCallerAuthentication("Sessions:Callers", audience: "sessions");
builder.Services.AddSingleton(TimeProvider.System);
// Absolute once here, so the database file and the recordings are found under the same directory.
builder.Services.AddOptions<SessionsOptions>().BindConfiguration(SessionsOptions.Section)
    .PostConfigure(options => options.DataDirectory = Path.GetFullPath(options.DataDirectory, builder.Environment.ContentRootPath));
builder.Services.AddSingleton(services =>
    ServiceDatabase.Open(builder.Configuration, services.GetRequiredService<IOptions<SessionsOptions>>().Value.DataDirectory, "sessions.db"));
builder.Services.AddSingleton<SessionsSchema>();
builder.Services.AddGrpc();
builder.AddSessionRecords();
builder.AddSessionRecordings();

var app = builder.Build();
// Bring the store's schema up to date before answering anything: a problem stops the service here.
await app.Services.GetRequiredService<SessionsSchema>().MigrateAsync(app.Lifetime.ApplicationStopping);

app.UseReplayPage();
app.UseAuthentication();
app.UseAuthorization();
app.MapSessionRecords();
app.MapSessionRecordings();
app.MapDefaultEndpoints();

app.Run();
