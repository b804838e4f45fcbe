using K8shell.AppHost.Running;

// The local stack, in dependency order. K8SHELL_DATA moves the state folder (default .k8shell/).
var dataDirectory = Path.GetFullPath(Environment.GetEnvironmentVariable("K8SHELL_DATA") is { Length: > 0 } data
    ? data
    : Path.Combine(RepositoryLayout.Root, ".k8shell"));

var builder = new StackBuilder(dataDirectory);

var nats = builder.AddNats("nats");

var identity = builder.AddProject("identity", "K8shell.Identity", grpc: true);
identity.Environment["Identity__DataDirectory"] = Path.Combine(dataDirectory, "identity");

var sessions = builder.AddProject("sessions", "K8shell.Sessions", grpc: true)
    .WithReference(identity);
sessions.Environment["Sessions__DataDirectory"] = Path.Combine(dataDirectory, "sessions");

var provisioner = builder.AddProject("provisioner", "K8shell.Provisioner", grpc: true)
    .WithReference(identity)
    .WithCallerToken(identity, "Identity:Callers")
    .WithReference(nats);
provisioner.Environment["Provisioner__Process__DataDirectory"] = Path.Combine(dataDirectory, "provisioner");

builder.AddProject("shield", "K8shell.Shield")
    .WithReference(nats);

builder.AddProject("ssh-proxy", "K8shell.SshProxy")
    .WithReference(identity)
    .WithReference(provisioner)
    .WithCallerToken(provisioner, "Provisioner:Callers")
    .WithReference(sessions)
    .WithCallerToken(sessions, "Sessions:Callers")
    .WithReference(nats);

return await new LocalRunner(builder.Build(), dataDirectory).RunAsync();
