// The K8shell stack. `dotnet run` starts it locally (state in K8SHELL_DATA, default .k8shell/);
// `--publisher manifest --output-path X` writes it for azd. README.md says more.
var builder = DistributedApplication.CreateBuilder(args);

var nats = builder.AddNats("nats")
    .WithJetStream()
    .WithDataVolume();

var identity = builder.AddProject<Projects.K8shell_Identity>("identity")
    .WithDataDirectory("Identity:DataDirectory")
    .WithHttpHealthCheck("/health");

var sessions = builder.AddProject<Projects.K8shell_Sessions>("sessions")
    .WithDataDirectory("Sessions:DataDirectory")
    .WithEndpoint("http", endpoint => endpoint.IsExternal = true) // the replay page; its gRPC stays internal
    .WithHttpHealthCheck("/health")
    .WithReference(identity).WaitFor(identity);

var provisioner = builder.AddProject<Projects.K8shell_Provisioner>("provisioner")
    .WithDataDirectory("Provisioner:Process:DataDirectory")
    .WithHttpHealthCheck("/health")
    .WithReference(identity).WaitFor(identity)
    .WithCallerToken(identity, "Identity:Callers")
    .WithReference(nats).WaitFor(nats);

builder.AddProject<Projects.K8shell_Shield>("shield")
    .WithHttpHealthCheck("/health")
    .WithReference(nats).WaitFor(nats);

builder.AddProject<Projects.K8shell_SshProxy>("ssh-proxy")
    .WithEndpoint(port: LocalKnobs.SshPort, targetPort: 2222, scheme: "tcp", name: "ssh", isExternal: true)
    .WithHttpHealthCheck("/health")
    .WithReference(identity).WaitFor(identity)
    .WithReference(provisioner).WaitFor(provisioner)
    .WithCallerToken(provisioner, "Provisioner:Callers")
    .WithReference(sessions).WaitFor(sessions)
    .WithCallerToken(sessions, "Sessions:Callers")
    .WithReference(nats).WaitFor(nats);

builder.Build().Run();
