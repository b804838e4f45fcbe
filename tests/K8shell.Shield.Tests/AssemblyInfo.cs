using K8shell.Testing;

// One nats-server for the assembly; each test uses its own subject, stream and buckets on it.
[assembly: AssemblyFixture(typeof(NatsServerFixture))]
