using K8shell.ServiceDefaults;
using K8shell.Shield;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNatsClient("nats");
builder.AddShield();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
