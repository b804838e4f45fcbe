using System.Security.Cryptography;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing;

namespace K8shell.SshProxy.Tests.Authentication;

/// <summary>
/// The real Identity, onboarding through a GitHub provider pointed at <see cref="LocalOAuthServer"/> (the real GitHub
/// is unreachable from our machines), called by the proxy's own client with a static caller token.
/// </summary>
public sealed class OnboardingIdentity : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-onboarding-grace-").FullName;
    private ServiceProcess? _identity;

    public LocalOAuthServer Provider { get; private set; } = null!;

    internal IdentityService.IdentityServiceClient Client { get; private set; } = null!;

    /// <summary>The key every provider account of these tests publishes.</summary>
    public string KeyFile => Path.Combine(_directory, "id_ed25519");

    public async ValueTask InitializeAsync()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var (_, authorizedKey) = await SshKeys.GenerateAsync(KeyFile, cancellationToken: cancellation);
        Provider = await LocalOAuthServer.StartAsync();
        foreach (var (login, id) in new[] { ("slowpoke", 11L), ("dawdler", 12L), ("latecomer", 13L) })
        {
            Provider.AddAccount(new LocalOAuthServer.Account(id, login, login, null, [$"{login}@example.test"], [authorizedKey]));
        }
        var usersFile = Path.Combine(_directory, "users.yaml");
        await File.WriteAllTextAsync(usersFile, "users:\n  - username: alice\n    uid: 1001\n    gid: 1001\n    authKeys: []\n", cancellation);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _identity = await IdentityProcess.StartAsync(usersFile, Path.Combine(_directory, "identity"), new Dictionary<string, string> { ["ssh-proxy"] = token },
            new Dictionary<string, string?>
            {
                ["Identity__OAuth__Providers__github__Preset"] = "github",
                ["Identity__OAuth__Providers__github__Address"] = Provider.Address,
                ["Identity__OAuth__Providers__github__ApiAddress"] = $"{Provider.Address}/api",
                ["Identity__OAuth__Providers__github__ClientId"] = LocalOAuthServer.ClientId,
            }, cancellation);
        Client = new IdentityService.IdentityServiceClient(GrpcChannels.WithBearer(_identity.GrpcEndpoint!, token));
    }

    public async ValueTask DisposeAsync()
    {
        if (_identity is not null)
        {
            await _identity.DisposeAsync();
        }
        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }
}
