using System.Security.Cryptography;
using Grpc.Net.Client;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

[assembly: AssemblyFixture(typeof(K8shell.WorkspaceDaemon.Tests.DaemonFixture))]

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>
/// The real k8shelld, started once from its build output for the test assembly: workspace "ws-test"
/// owned by "alice", its processes running as the current user with a fresh home, trusting the tokens this fixture
/// signs (ES256, a key made for the run). Clients carry alice's token unless a test asks otherwise.
/// </summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    public const string Owner = "alice";
    public const string Workspace = "ws-test";

    private readonly ECDsa _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shelld-").FullName;
    private ServiceProcess? _daemon;
    private GrpcChannel? _ownerChannel;

    public string Home => Path.Combine(_directory, "home");

    public ServiceProcess Daemon => _daemon ?? throw new InvalidOperationException("the daemon has not started");

    private string PublicKeyFile => Path.Combine(_directory, "signing.pem");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        // Written once: daemons started by concurrent tests read it, and must never see it half-written.
        await File.WriteAllTextAsync(PublicKeyFile, _signingKey.ExportSubjectPublicKeyInfoPem());
        _daemon = await StartDaemonAsync();
    }

    /// <summary>
    /// A daemon for this workspace and home (a second one plays a restart), once its health says
    /// ready; <paramref name="wrapper"/> runs it under another command (unshare, to be PID 1),
    /// <paramref name="settings"/> adds or overrides configuration (environment variables).
    /// </summary>
    public async Task<ServiceProcess> StartDaemonAsync(IReadOnlyList<string>? wrapper = null, Dictionary<string, string?>? settings = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Workspace__Name"] = Workspace,
            ["Workspace__Owner"] = Owner,
            // As the Process backend does: the workspace's processes run as whoever runs the daemon.
            ["Workspace__User"] = Environment.UserName,
            ["Workspace__Home"] = Home,
            ["Workspace__Shell"] = "/bin/bash",
            ["Workspace__Environment__K8SHELL_BLUEPRINT_VAR"] = "from-the-blueprint",
            ["Workspace__Splash"] = "Welcome to ws-test",
            ["Workspace__InitScripts__0__Name"] = "greet",
            ["Workspace__InitScripts__0__Script"] = "echo \"hello from $USER\" > ~/greeted",
            ["Workspace__InitScripts__1__Name"] = "broken",
            ["Workspace__InitScripts__1__Script"] = "echo going wrong; exit 3",
            ["Auth__PublicKeyFile"] = PublicKeyFile,
            ["Auth__Issuer"] = "https://identity.test",
        };
        foreach (var (key, value) in settings ?? [])
        {
            environment[key] = value;
        }
        var daemon = await ServiceProcess.StartAsync("K8shell.WorkspaceDaemon", "k8shelld", servesGrpc: true, environment, wrapper: wrapper);
        // Ready means the init scripts have run (the Provisioner waits for the same).
        using var http = new HttpClient { BaseAddress = daemon.HttpEndpoint };
        for (var attempt = 0; !(await http.GetAsync("/health")).IsSuccessStatusCode; attempt++)
        {
            if (attempt == 200)
            {
                await daemon.DisposeAsync();
                throw new TimeoutException($"k8shelld never became healthy:\n{daemon.Process.Output}");
            }
            await Task.Delay(50);
        }
        return daemon;
    }

    /// <summary>A token as Identity would issue it; tests change what they need to provoke a refusal.</summary>
    public string Token(string subject = Owner, string audience = "k8shelld", string issuer = "https://identity.test",
        TimeSpan? lifetime = null, ECDsa? signedWith = null, bool sudo = false, string? keyId = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (lifetime ?? TimeSpan.FromMinutes(5));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["sudo"] = sudo },
            NotBefore = expires < now ? expires.AddMinutes(-5) : now,
            IssuedAt = expires < now ? expires.AddMinutes(-5) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(signedWith ?? _signingKey) { KeyId = keyId }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>A gRPC channel to the daemon whose calls carry <paramref name="token"/> (alice's, shared, by default; null: none).</summary>
    public GrpcChannel Channel(string? token = "") => token == "" ? _ownerChannel ??= Open(token) : Open(token);

    internal ProcessService.ProcessServiceClient Processes(string? token = "") => new(Channel(token));

    internal SystemService.SystemServiceClient System(string? token = "") => new(Channel(token));

    internal TunnelService.TunnelServiceClient Tunnels(string? token = "") => new(Channel(token));

    /// <summary>A channel to another daemon of this fixture (<see cref="StartDaemonAsync"/>), with the owner's token unless another is given.</summary>
    public GrpcChannel ChannelTo(ServiceProcess other, string? token = null) => Open(token ?? Token(), other);

    private GrpcChannel Open(string? token, ServiceProcess? other = null) =>
        GrpcChannels.WithBearer((other ?? Daemon).GrpcEndpoint!, token is "" ? Token() : token);

    public async ValueTask DisposeAsync()
    {
        _ownerChannel?.Dispose();
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }
        _signingKey.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
