using System.Text;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing;

namespace K8shell.Identity.Tests;

/// <summary>
/// <c>GetBlueprintByUserStr</c>: a repository user string → the repository's <c>.k8shell.yaml</c>, read from the
/// provider that owns the user, with the GitHub and GitLab presets. The provider is <see cref="LocalOAuthServer"/>,
/// because the real GitHub and GitLab are unreachable from our machines; it answers their file APIs as they do.
/// </summary>
public sealed class RepositoryBlueprintTests(IdentityFixture identity) : IAsyncLifetime
{
    private static readonly byte[] Portal = "blueprint:\n  template: dev\n  env:\n    FROM_REPO: portal\n"u8.ToArray();
    private static readonly byte[] PortalV12 = "blueprint:\n  template: dev\n"u8.ToArray();

    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-repository-blueprints-").FullName;
    private LocalOAuthServer _provider = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _provider = await LocalOAuthServer.StartAsync();
        _provider.AddAccount(new LocalOAuthServer.Account(4242, "mallory", "Mallory", "mallory@example.test", [], []));
        _provider.SetRepositoryFile("acme/portal", Portal);
        _provider.SetRepositoryFile("acme/portal", PortalV12, branch: "v1.2");
        _provider.SetRepositoryFile("mallory/dotfiles", "blueprint: {template: dev}\n"u8.ToArray());
    }

    [Fact]
    public async Task A_github_users_repository_file_is_read_raw_and_anonymously_at_the_ref_or_the_default_branch()
    {
        await using var service = await OnboardedAsync(Preset("github"));

        var atDefault = await ReadAsync(service, "mallory~repo=acme%2Fportal");
        var atTag = await ReadAsync(service, "b64-" + Convert.ToBase64String("mallory~repo=acme/portal+ref=v1.2"u8).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        var own = await ReadAsync(service, "mallory~repo=dotfiles");

        AssertFile(Portal, "acme/portal", atDefault);
        AssertFile(PortalV12, "acme/portal", atTag);
        Assert.Equal($"{_provider.Address}/mallory/dotfiles", own.RepoAddress);
        Assert.Equal([
            ("/api/repos/acme/portal/contents/.k8shell.yaml", ""),
            ("/api/repos/acme/portal/contents/.k8shell.yaml?ref=v1.2", ""),
            ("/api/repos/mallory/dotfiles/contents/.k8shell.yaml", ""),
        ], _provider.RepositoryReads);
    }

    [Fact]
    public async Task A_gitlab_users_repository_file_is_read_by_project_path_at_head_subgroups_included()
    {
        _provider.SetRepositoryFile("acme/web/portal", PortalV12);
        await using var service = await OnboardedAsync(Preset("gitlab"), provider: "gitlab");

        var file = await ReadAsync(service, "mallory~repo=acme%2Fportal");
        var inSubgroup = await ReadAsync(service, "mallory~repo=acme%2Fweb%2Fportal");

        AssertFile(Portal, "acme/portal", file);
        AssertFile(PortalV12, "acme/web/portal", inSubgroup);
        Assert.Equal([
            "/api/v4/projects/acme%2Fportal/repository/files/.k8shell.yaml/raw?ref=HEAD",
            "/api/v4/projects/acme%2Fweb%2Fportal/repository/files/.k8shell.yaml/raw?ref=HEAD",
        ], _provider.RepositoryReads.Select(read => read.Target));
    }

    [Fact]
    public async Task A_repository_token_is_sent_and_never_logged()
    {
        const string token = "github_pat_repository_reader_0123456789";
        await using var service = await OnboardedAsync(new(Preset("github")) { ["Identity__OAuth__Providers__github__RepositoryToken"] = token });

        await ReadAsync(service, "mallory~repo=acme%2Fportal");

        Assert.Equal($"Bearer {token}", Assert.Single(_provider.RepositoryReads).Authorization);
        Assert.DoesNotContain(token, service.Process.Process.Output);
    }

    [Fact]
    public async Task What_is_no_usable_file_gets_a_status_that_says_why()
    {
        _provider.SetRepositoryFile("acme/huge", new byte[64 * 1024 + 1]);
        _provider.SetRepositoryFile("acme/page", Encoding.UTF8.GetBytes(new string('#', 64 * 1024)));
        await using var service = await OnboardedAsync(Preset("github"));

        Assert.Equal(64 * 1024, (await ReadAsync(service, "mallory~repo=acme%2Fpage")).Blueprint.Length);
        await RefusedAsync(service, "mallory~repo=acme%2Fnone", StatusCode.NotFound,
            "acme/none has no .k8shell.yaml at the default branch on idp.k8shell.io/github (or the repository or the ref does not exist there, or is private)");
        await RefusedAsync(service, "mallory~repo=acme%2Fportal+ref=nosuch", StatusCode.NotFound, "acme/portal has no .k8shell.yaml at ref nosuch");
        await RefusedAsync(service, "mallory~repo=acme%2Fhuge", StatusCode.FailedPrecondition, "acme/huge's .k8shell.yaml at the default branch is larger than 64 KiB");
        await RefusedAsync(service, "alice~repo=acme%2Fportal", StatusCode.FailedPrecondition,
            "alice is a user of idp.k8shell.io/file, which has no repositories to read acme/portal's .k8shell.yaml from");
        await RefusedAsync(service, "nobody~repo=acme%2Fportal", StatusCode.NotFound, "there is no user nobody");
        await RefusedAsync(service, "mallory~dev", StatusCode.InvalidArgument, "mallory~dev does not name a repository");
        await RefusedAsync(service, "mallory~repo=..%2Fusers", StatusCode.InvalidArgument, "../users is not a repository name");
        await RefusedAsync(service, "mallory~ref=main", StatusCode.InvalidArgument, "repo is required in param-list form");

        _provider.RefuseRepositoryReads = true;
        await RefusedAsync(service, "mallory~repo=acme%2Fportal", StatusCode.FailedPrecondition,
            "idp.k8shell.io/github refused to show acme/portal's .k8shell.yaml at the default branch (HTTP 403)");
        // Nothing but the few files that exist was asked for: the bad names never reached the provider.
        Assert.DoesNotContain(_provider.RepositoryReads, read => read.Target.Contains("users"));
    }

    [Fact]
    public async Task A_provider_that_limits_the_rate_or_does_not_answer_is_unavailable()
    {
        await using var service = await OnboardedAsync(new(Preset("github")) { ["Identity__OAuth__Providers__github__Timeout"] = "00:00:01" });

        _provider.RateLimitRepositoryReads = true;
        await RefusedAsync(service, "mallory~repo=acme%2Fportal", StatusCode.Unavailable,
            "idp.k8shell.io/github limits the rate of calls and refused this one; try again later (a RepositoryToken raises the limit)");
        _provider.RateLimitRepositoryReads = false;
        _provider.Delay = TimeSpan.FromSeconds(5);
        await RefusedAsync(service, "mallory~repo=acme%2Fportal+ref=v1.2", StatusCode.Unavailable,
            $"idp.k8shell.io/github: {_provider.Address}/api/repos/acme/portal/contents/.k8shell.yaml did not answer within 1 s");
    }

    /// <summary>Identity with the provider's preset pointed at the local server, and mallory onboarded there.</summary>
    private async Task<TestIdentity> OnboardedAsync(Dictionary<string, string?> settings, string provider = "github")
    {
        var data = Path.Combine(_directory, Guid.NewGuid().ToString("N"));
        var service = await TestIdentity.StartAsync(identity, identity.UsersFile, data, settings);
        var challenge = await service.Client.OnboardUserDeviceFlowAsync(new OnboardUserDeviceFlowRequest { Provider = provider, Username = "mallory" }, cancellationToken: Cancellation);
        _provider.Approve(challenge.UserCode, "mallory");
        var completed = await service.Client.CompleteUserDeviceFlowAsync(new CompleteUserDeviceFlowRequest { Provider = provider, Username = "mallory" }, cancellationToken: Cancellation);
        Assert.Equal(DeviceFlowResult.Types.Status.Completed, completed.Status);
        return service;
    }

    private Dictionary<string, string?> Preset(string preset) => preset == "github"
        ? new()
        {
            ["Identity__OAuth__Providers__github__Preset"] = "github",
            ["Identity__OAuth__Providers__github__Address"] = _provider.Address,
            ["Identity__OAuth__Providers__github__ApiAddress"] = $"{_provider.Address}/api",
            ["Identity__OAuth__Providers__github__ClientId"] = LocalOAuthServer.ClientId,
        }
        : new()
        {
            ["Identity__OAuth__Providers__gitlab__Preset"] = "gitlab",
            ["Identity__OAuth__Providers__gitlab__Address"] = _provider.Address,
            ["Identity__OAuth__Providers__gitlab__ClientId"] = LocalOAuthServer.ClientId,
        };

    private static async Task<RepositoryBlueprint> ReadAsync(TestIdentity service, string userstr) =>
        await service.Client.GetBlueprintByUserStrAsync(new GetBlueprintByUserStrRequest { Userstr = userstr }, cancellationToken: Cancellation);

    private void AssertFile(byte[] content, string repository, RepositoryBlueprint file)
    {
        Assert.Equal(content, file.Blueprint.ToByteArray());
        Assert.Equal($"{_provider.Address}/{repository}", file.RepoAddress);
    }

    private static async Task RefusedAsync(TestIdentity service, string userstr, StatusCode status, string message)
    {
        var refusal = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(service, userstr));
        Assert.Equal(status, refusal.StatusCode);
        Assert.Contains(message, refusal.Status.Detail);
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
