using Grpc.Net.Client;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing;

[assembly: AssemblyFixture(typeof(K8shell.Identity.Tests.IdentityFixture))]

namespace K8shell.Identity.Tests;

/// <summary>
/// The real Identity service, started once from its build output with a user file in a temporary
/// directory: alice (keys inline), bob (keys from a !file, locked), carol (disabled). Keys are real,
/// made by ssh-keygen for the run.
/// </summary>
public sealed class IdentityFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-identity-").FullName;
    private ServiceProcess? _identity;
    private GrpcChannel? _channel;

    public string UsersFile => Path.Combine(_directory, "users.yaml");

    public string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Public key lines ("type base64 comment") by name: alice, alice2, bob, stranger.</summary>
    public Dictionary<string, string> Keys { get; } = [];

    public ServiceProcess Identity => _identity ?? throw new InvalidOperationException("not started");

    internal IdentityService.IdentityServiceClient Client => new(_channel!);

    public async ValueTask InitializeAsync()
    {
        foreach (var name in new[] { "alice", "alice2", "bob", "stranger" })
        {
            Keys[name] = await KeyAsync(name);
        }
        await File.WriteAllTextAsync(Path.Combine(_directory, "bob.keys"), $"# bob's keys\n\n{Keys["bob"]}\n");
        await File.WriteAllTextAsync(UsersFile, UsersYaml());
        _identity = await StartIdentityAsync(UsersFile, DataDirectory);
        _channel = ChannelTo(_identity);
    }

    /// <summary>The credential the tests call with, as the SSH proxy would (a static token, as in development).</summary>
    public string CallerToken { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>An Identity service of the tests' own: these users (or <paramref name="usersFile"/>), data in <paramref name="dataDirectory"/>.</summary>
    public Task<ServiceProcess> StartIdentityAsync(string usersFile, string dataDirectory, Dictionary<string, string?>? settings = null) =>
        IdentityProcess.StartAsync(usersFile, dataDirectory, new Dictionary<string, string> { ["ssh-proxy"] = CallerToken }, settings, TestContext.Current.CancellationToken);

    /// <summary>
    /// Starts Identity expecting it to refuse: <paramref name="settings"/> over the fixture's user file and a
    /// data directory of its own. Returns what it printed.
    /// </summary>
    public async Task<string> RefusedStartAsync(Dictionary<string, string?> settings)
    {
        var environment = IdentityProcess.Settings(UsersFile, Path.Combine(_directory, $"refused-{Guid.NewGuid():N}"), new Dictionary<string, string>(), settings);
        await using var refused = ServiceProcess.Launch("K8shell.Identity", "K8shell.Identity", servesGrpc: true, environment, out _, out _);
        Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        return refused.Output;
    }

    /// <summary>A channel whose calls carry <paramref name="credential"/> (the tests' caller token by default; null: none).</summary>
    public GrpcChannel ChannelTo(ServiceProcess service, string? credential = "") =>
        GrpcChannels.WithBearer(service.GrpcEndpoint!, credential is "" ? CallerToken : credential);

    /// <summary>The fixture's user file, with <paramref name="extra"/> appended to the list.</summary>
    public string UsersYaml(string extra = "") => $"""
        users:
          - username: alice
            uid: 1001
            gid: 1001
            fullname: Alice Liddell
            email: alice@example.test
            shell: /bin/zsh
            sudo: true
            roles: [developer]
            blueprints: ["*"]
            organization: wonderland
            auths: [publickey, password]
            authKeys:
              - {Keys["alice"]}
              - {Keys["alice2"]}
          - username: bob
            uid: 1002
            gid: 1002
            locked: true
            authKeys: !file bob.keys
          - username: carol
            uid: 1003
            gid: 1003
            isValid: false
            authKeys: [{Keys["stranger"]}]
        {extra}
        """;

    private async Task<string> KeyAsync(string name) =>
        (await SshKeys.GenerateAsync(Path.Combine(_directory, $"{name}_ed25519"), comment: $"{name}@laptop")).PublicLine;

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_identity is not null)
        {
            await _identity.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }
}
