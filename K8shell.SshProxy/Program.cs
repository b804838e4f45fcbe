using K8shell.ServiceDefaults;
using K8shell.SshProxy;
using K8shell.SshProxy.Admission;
using K8shell.SshProxy.Authorization;
using K8shell.SshProxy.Channels;
using K8shell.SshProxy.SessionRecords;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNatsClient("nats");
builder.AddSshProxy();
builder.AddAdmission();
builder.AddPolicies();
builder.AddSessionRecords();
builder.AddChannels();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
