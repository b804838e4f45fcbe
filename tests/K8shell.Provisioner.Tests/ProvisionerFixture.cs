using Grpc.Net.Client;
using K8shell.Contracts.Identity.V1;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Testing;

[assembly: AssemblyFixture(typeof(K8shell.Provisioner.Tests.ProvisionerFixture))]

namespace K8shell.Provisioner.Tests;

/// <summary>
/// The stack the Provisioner needs, real and started once for the assembly: nats-server, the Identity
/// service with a user file (alice: dev and slow; bob: every blueprint; carol: locked; dave: none) and a
/// GitHub provider (<see cref="GitHub"/>, the local stand-in, since the real one is unreachable here) where
/// erin is onboarded (dev only) and whose repositories tests fill, and a Provisioner on the Process backend
/// with the test blueprints (<see cref="BlueprintsYaml"/>) and its data in a temporary directory. Tests may
/// start more Provisioners on the same or another data directory.
/// </summary>
public sealed class ProvisionerFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-provisioner-").FullName;
    private NatsServer? _nats;
    private LocalOAuthServer? _github;
    private ServiceProcess? _identity;
    private ServiceProcess? _provisioner;
    private GrpcChannel? _provisionerChannel;
    private GrpcChannel? _identityChannel;

    public string CallerToken { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public string DataDirectory => Path.Combine(_directory, "data");

    public string BlueprintDirectory => Path.Combine(_directory, "blueprints");

    public NatsServer Nats => _nats ?? throw new InvalidOperationException("not started");

    /// <summary>
    /// GitHub as Identity sees it. Its calls time out after <see cref="GitHubTimeout"/>. Tests write repositories of
    /// their own (<see cref="LocalOAuthServer.SetRepositoryFile"/>) and change nothing the others share.
    /// </summary>
    public LocalOAuthServer GitHub => _github ?? throw new InvalidOperationException("not started");

    public static readonly TimeSpan GitHubTimeout = TimeSpan.FromSeconds(2);

    public ServiceProcess Provisioner => _provisioner ?? throw new InvalidOperationException("not started");

    internal ProvisionerService.ProvisionerServiceClient Client => new(_provisionerChannel!);

    internal IdentityService.IdentityServiceClient Identity => new(_identityChannel!);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(BlueprintDirectory);
        await File.WriteAllTextAsync(Path.Combine(BlueprintDirectory, "test.yaml"), BlueprintsYaml);
        await File.WriteAllTextAsync(Path.Combine(_directory, "users.yaml"), UsersYaml);
        _nats = await NatsServer.StartAsync();
        _github = await LocalOAuthServer.StartAsync();
        _identity = await IdentityProcess.StartAsync(Path.Combine(_directory, "users.yaml"), Path.Combine(_directory, "identity"),
            new Dictionary<string, string> { ["provisioner"] = CallerToken }, new Dictionary<string, string?>
            {
                ["Identity__OAuth__Providers__github__Preset"] = "github",
                ["Identity__OAuth__Providers__github__Address"] = _github.Address,
                ["Identity__OAuth__Providers__github__ApiAddress"] = $"{_github.Address}/api",
                ["Identity__OAuth__Providers__github__ClientId"] = LocalOAuthServer.ClientId,
                ["Identity__OAuth__Providers__github__Blueprints__0"] = "dev",
                ["Identity__OAuth__Providers__github__Timeout"] = GitHubTimeout.ToString(),
            }, TestContext.Current.CancellationToken);
        _identityChannel = GrpcChannels.WithBearer(_identity.GrpcEndpoint!, CallerToken);
        await OnboardAsync(new LocalOAuthServer.Account(5, "erin", "Erin", "erin@example.test", [], []));
        _provisioner = await StartProvisionerAsync(DataDirectory);
        _provisionerChannel = GrpcChannels.WithBearer(_provisioner.GrpcEndpoint!, CallerToken);
    }

    /// <summary>A Provisioner of the test's own on <paramref name="dataDirectory"/>, with <paramref name="settings"/> over the fixture's.</summary>
    public async Task<ServiceProcess> StartProvisionerAsync(string dataDirectory, Dictionary<string, string?>? settings = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__nats"] = Nats.Url,
            ["services__identity__grpc__0"] = _identity!.GrpcEndpoint!.ToString(),
            ["services__identity__http__0"] = _identity.HttpEndpoint.ToString(),
            ["Services__identity__Token"] = CallerToken,
            ["Provisioner__Callers__StaticTokens__tests"] = CallerToken,
            ["Provisioner__Blueprints__Directory"] = BlueprintDirectory,
            ["Provisioner__Process__DataDirectory"] = dataDirectory,
        };
        foreach (var (key, value) in settings ?? [])
        {
            environment[key] = value;
        }
        return await ServiceProcess.StartAsync("K8shell.Provisioner", "K8shell.Provisioner", servesGrpc: true, environment, TestContext.Current.CancellationToken);
    }

    /// <summary>Onboards <paramref name="account"/> from GitHub through the device grant, as the SSH proxy would.</summary>
    private async Task OnboardAsync(LocalOAuthServer.Account account)
    {
        GitHub.AddAccount(account);
        var challenge = await Identity.OnboardUserDeviceFlowAsync(new OnboardUserDeviceFlowRequest { Username = account.Login }, cancellationToken: TestContext.Current.CancellationToken);
        GitHub.Approve(challenge.UserCode, account.Login);
        var completed = await Identity.CompleteUserDeviceFlowAsync(new CompleteUserDeviceFlowRequest { Username = account.Login }, cancellationToken: TestContext.Current.CancellationToken);
        if (completed.Status != DeviceFlowResult.Types.Status.Completed)
        {
            throw new InvalidOperationException($"{account.Login} was not onboarded: {completed}");
        }
    }

    internal static ProvisionerService.ProvisionerServiceClient ClientOf(ServiceProcess provisioner, string? token) =>
        new(GrpcChannels.WithBearer(provisioner.GrpcEndpoint!, token));

    /// <summary>A token Identity issues for <paramref name="username"/> that the workspace's k8shelld accepts.</summary>
    internal async Task<string> DaemonTokenAsync(string username) =>
        (await Identity.IssueUserTokenAsync(new IssueUserTokenRequest { Username = username, Source = "tests", Audiences = { "k8shelld" } },
            cancellationToken: TestContext.Current.CancellationToken)).UserToken;

    /// <summary>
    /// <c>base</c> (template: an init script that leaves a mark in the home, an environment variable),
    /// <c>dev</c>, <c>slow</c> (an init script that takes 60 s) and <c>extra</c> (only bob may use it).
    /// </summary>
    public const string BlueprintsYaml = """
        blueprints:
          - name: base
            isTemplate: true
            image: debian:bookworm
            env:
              FROM_BLUEPRINT: base-value
            initScripts:
              - name: mark
                script: echo "init ran for $USERNAME in $BLUEPRINT" > "$HOME/init-ran"
          - name: dev
            template: base
            splash: Welcome to dev
          - name: slow
            template: base
            initScripts:
              - name: wait
                script: sleep 60
          - name: extra
            template: base
        """;

    public const string UsersYaml = """
        users:
          - username: alice
            uid: 1001
            gid: 1001
            email: alice@example.test
            fullname: Alice Liddell
            blueprints: [dev, slow]
          - username: bob
            uid: 1002
            gid: 1002
            blueprints: ["*"]
          - username: carol
            uid: 1003
            gid: 1003
            blueprints: ["*"]
            locked: true
          - username: dave
            uid: 1004
            gid: 1004
            blueprints: []
        """;

    public async ValueTask DisposeAsync()
    {
        _provisionerChannel?.Dispose();
        _identityChannel?.Dispose();
        if (_provisioner is not null)
        {
            // Gracefully: the Provisioner stops its workspaces' daemons on the way out.
            await _provisioner.Process.StopAsync(TimeSpan.FromSeconds(30));
            await _provisioner.DisposeAsync();
        }
        if (_identity is not null)
        {
            await _identity.DisposeAsync();
        }
        if (_github is not null)
        {
            await _github.DisposeAsync();
        }
        if (_nats is not null)
        {
            await _nats.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }
}
