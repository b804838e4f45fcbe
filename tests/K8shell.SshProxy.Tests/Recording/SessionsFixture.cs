using System.Security.Cryptography;
using K8shell.Contracts.Identity.V1;
using K8shell.Contracts.Sessions.V1;
using K8shell.Testing;

[assembly: AssemblyFixture(typeof(K8shell.SshProxy.Tests.Recording.SessionsFixture))]

namespace K8shell.SshProxy.Tests.Recording;

/// <summary>
/// The real neighbours the proxy's session records and recordings are tested against, started once for the
/// assembly: Identity with alice (whose tokens for Sessions the recordings carry) and one Sessions that checks them
/// against Identity's keys. Tests that kill Sessions start one of their own on a data directory of theirs.
/// </summary>
public sealed class SessionsFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-proxy-recordings-").FullName;
    private SessionsWithIdentity? _services;

    private SessionsWithIdentity Services => _services ?? throw new InvalidOperationException("not started");

    /// <summary>The static credential the proxy calls both services with.</summary>
    public string CallerToken => Services.CallerToken;

    public ServiceProcess Sessions => Services.Sessions;

    public string DataDirectory => Services.DataDirectory;

    public async ValueTask InitializeAsync() =>
        _services = await SessionsWithIdentity.StartAsync(_directory, """
            users:
              - username: alice
                uid: 1001
                gid: 1001
            """, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>A Sessions of the test's own, keeping its state in <paramref name="dataDirectory"/>.</summary>
    public Task<ServiceProcess> StartSessionsAsync(string dataDirectory) =>
        Services.StartSessionsAsync(dataDirectory, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>The recording client the proxy has, calling <paramref name="address"/> (the shared Sessions by default).</summary>
    internal RecordingService.RecordingServiceClient Recordings(Uri? address = null) => new(GrpcChannels.WithBearer(address ?? Sessions.GrpcEndpoint!, CallerToken));

    internal SessionService.SessionServiceClient Records(Uri? address = null) => new(GrpcChannels.WithBearer(address ?? Sessions.GrpcEndpoint!, CallerToken));

    /// <summary>alice's token for Sessions, as the proxy gets one from Identity.</summary>
    internal async ValueTask<string> UserTokenAsync(CancellationToken cancellationToken) =>
        (await new IdentityService.IdentityServiceClient(Services.IdentityChannel).IssueUserTokenAsync(
            new IssueUserTokenRequest { Username = "alice", Source = "ssh-proxy", Audiences = { "sessions" } }, cancellationToken: cancellationToken)).UserToken;

    /// <summary>Where Sessions on <paramref name="dataDirectory"/> keeps alice's recording of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public static string RecordingPath(string dataDirectory, string kind, string name) => Path.Combine(dataDirectory, "recordings", "alice", kind, name);

    /// <summary>A session ID as the proxy makes them, unique per test.</summary>
    public static string NewSessionId() => $"proxytest-{Environment.ProcessId}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }
}
