// The K8shell stack. `dotnet run` starts it locally (state in K8SHELL_DATA, default .k8shell/);
// `--publisher manifest --output-path X` writes it for azd. README.md says more.
var builder = DistributedApplication.CreateBuilder(args);

var nats = builder.AddNats("nats")
    .WithJetStream()
    .WithDataVolume();

var cluster = builder.AddKindCluster("cluster");

var identity = builder.AddProject<Projects.K8shell_Identity>("identity")
    .WithDataDirectory("Identity:DataDirectory")
    .WithDevUser("Identity:UserFiles")
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
    .WithReference(nats).WaitFor(nats)
    .WithWorkspaceCluster(cluster, identity);

builder.AddProject<Projects.K8shell_Shield>("shield")
    .WithHttpHealthCheck("/health")
    .WithReference(nats).WaitFor(nats)
    .WithEnvironment(context =>
    {
        // The laptop's own user mistyping a passphrase must not lock them out; other loopback addresses can still
        // be banned, which is how the ban path is tried locally (ssh -o BindAddress=127.0.0.9).
        if (context.ExecutionContext.IsRunMode)
        {
            context.EnvironmentVariables["Shield__Whitelist__0"] = "127.0.0.1/32";
            context.EnvironmentVariables["Shield__Whitelist__1"] = "::1/128";
        }
    });

var sshProxy = builder.AddProject<Projects.K8shell_SshProxy>("ssh-proxy")
    .WithEndpoint(port: LocalKnobs.SshPort, targetPort: 2022, scheme: "tcp", name: "ssh", isExternal: true)
    .WithDataDirectory("SshProxy:DataDirectory")
    .WithHttpHealthCheck("/health")
    .WithReference(identity).WaitFor(identity)
    .WithCallerToken(identity, "Identity:Callers")
    .WithReference(provisioner).WaitFor(provisioner)
    .WithCallerToken(provisioner, "Provisioner:Callers")
    .WithReference(sessions).WaitFor(sessions)
    .WithCallerToken(sessions, "Sessions:Callers")
    .WithReference(nats).WaitFor(nats);
sshProxy.WithEnvironment("SshProxy__Port", sshProxy.GetEndpoint("ssh").Property(EndpointProperty.TargetPort))
    // A 2 MiB gen-0 budget: what hundreds of idle sessions cost is what they hold, not what the GC keeps committed
    // (bench/README.md). The runtime reads this knob from the environment only, not from runtimeconfig.json.
    .WithEnvironment("DOTNET_GCgen0size", "0x200000")
    .WithEnvironment(context =>
    {
        // On a laptop every client is on loopback or a private network, and its failures still deserve events.
        if (context.ExecutionContext.IsRunMode)
        {
            context.EnvironmentVariables["SshProxy__Failures__PublicIpOnly"] = "false";
        }
    });

builder.Build().Run();
