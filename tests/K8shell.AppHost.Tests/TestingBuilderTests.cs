using System.Diagnostics;
using System.Net;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing.AppHost;

namespace K8shell.AppHost.Tests;

/// <summary>
/// K8shell.Testing's DistributedApplicationTestingBuilder on the real AppHost: the whole stack starts healthy on
/// random ports, its clients reach it with the model's caller tokens, one resource stops and starts again on its
/// port while the others run on (what the end-to-end fault tests rely on), and disposing leaves no process behind.
/// </summary>
public sealed class TestingBuilderTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("k8shell-fixture-home-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_stack_starts_healthy_Identity_knows_the_seeded_dev_user_one_resource_restarts_and_everything_stops()
    {
        KeyGen();
        string dataDirectory;
        int[] ports;
        await using (var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.K8shell_AppHost>(configure: options =>
        {
            options.EnvironmentOverrides["HOME"] = _home;
            options.EnvironmentOverrides["K8SHELL_WORKSPACE_BACKEND"] = "process";
            options.EnvironmentOverrides["K8SHELL_CONTAINER_ENGINE"] = "none"; // nats-server, whose process the test checks is gone
        }, cancellationToken: Cancellation))
        {
            dataDirectory = builder.Options.DataDirectory;
            Assert.Equal(["nats", "cluster", "identity", "sessions", "provisioner", "shield", "ssh-proxy"],
                builder.Resources.Where(resource => resource is not K8shell.AppHost.Model.ParameterResource).Select(resource => resource.Name));
            await using var app = await builder.BuildAsync(Cancellation);
            await app.StartAsync(Cancellation).WaitAsync(TimeSpan.FromMinutes(2), Cancellation);

            var identity = app.CreateGrpcClient<IdentityService.IdentityServiceClient>("identity", caller: "provisioner");
            var user = await identity.FindUserAsync(new FindUserRequest { Username = Environment.UserName }, cancellationToken: Cancellation);
            Assert.Equal("idp.k8shell.io/file", user.Source);
            Assert.Equal(1u, user.PublicKeyCount);
            Assert.True(user.Sudo);

            using var sessions = app.CreateHttpClient("sessions");
            Assert.Equal(HttpStatusCode.OK, (await sessions.GetAsync("/health", Cancellation)).StatusCode);
            Assert.Equal($"nats://127.0.0.1:{app.GetEndpoint("nats", "tcp").Port}", await app.GetConnectionStringAsync("nats"));
            // Random ports throughout: not even the SSH endpoint takes its fixed 2222, so runs side by side never collide.
            Assert.NotEqual(2222, app.GetEndpoint("ssh-proxy", "ssh").Port);

            var identityProcess = app.GetResourceProcessId("identity");
            var sessionsProcess = app.GetResourceProcessId("sessions");
            var sessionsPort = app.GetEndpoint("sessions", "http").Port;
            await app.StopResourceAsync("sessions");
            Assert.Null(app.GetResourceProcessId("sessions"));
            Assert.False(await K8shell.Testing.FreePort.AcceptsConnectionsAsync(sessionsPort, Cancellation), "sessions still listens after it was stopped");
            await app.StartResourceAsync("sessions", Cancellation);
            Assert.NotEqual(sessionsProcess, app.GetResourceProcessId("sessions"));
            Assert.Equal(HttpStatusCode.OK, (await sessions.GetAsync("/health", Cancellation)).StatusCode); // the same address as before
            Assert.Equal(identityProcess, app.GetResourceProcessId("identity"));

            ports = [.. app.Resources.SelectMany(resource => resource.Annotations.OfType<K8shell.AppHost.Model.EndpointAnnotation>()).Select(endpoint => endpoint.Allocated!.Port)];
        }

        Assert.False(Directory.Exists(dataDirectory));
        Assert.Empty(ProcessesMentioning(dataDirectory));
        foreach (var port in ports)
        {
            Assert.False(await K8shell.Testing.FreePort.AcceptsConnectionsAsync(port, Cancellation), $"something still listens on {port}");
        }
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private void KeyGen()
    {
        Directory.CreateDirectory(Path.Combine(_home, ".ssh"));
        using var keygen = Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(_home, ".ssh", "id_ed25519")]);
        keygen.WaitForExit();
    }

    /// <summary>Processes with the run's data directory in their command line or environment: the run's own, or orphans of it.</summary>
    private static List<int> ProcessesMentioning(string dataDirectory) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(int.Parse!)
            .Where(pid => Read($"/proc/{pid}/cmdline").Contains(dataDirectory) || Read($"/proc/{pid}/environ").Contains(dataDirectory))];

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
