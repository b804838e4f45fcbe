using K8shell.Testing;

[assembly: AssemblyFixture(typeof(NatsServerFixture))]
