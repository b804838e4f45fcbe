using K8shell.ServiceDefaults;
using K8shell.Sessions.Recording;
using K8shell.Sessions.Records;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.MapGrpcService<SessionGrpcService>();
app.MapGrpcService<RecordingGrpcService>();
app.MapDefaultEndpoints();

app.Run();
