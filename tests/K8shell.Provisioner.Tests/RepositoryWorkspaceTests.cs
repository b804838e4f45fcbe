using System.Text;
using Grpc.Core;
using K8shell.Contracts.Provisioner.V1;

namespace K8shell.Provisioner.Tests;

/// <summary>
/// Repository user strings through the real Provisioner, Identity and k8shelld: the repository's <c>.k8shell.yaml</c>
/// comes from the user's provider (<see cref="ProvisionerFixture.GitHub"/>, standing in for GitHub, which is
/// unreachable from our machines) and is layered on its template, or falls back to the default custom blueprint.
/// erin is a GitHub user entitled to dev only. Each test has repositories of its own on the shared provider.
/// </summary>
public sealed class RepositoryWorkspaceTests(ProvisionerFixture fixture) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("k8shell-provisioner-repository-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_repository_with_a_k8shell_yaml_gets_a_workspace_of_its_blueprint_on_its_template()
    {
        SetFile("acme/portal", """
            blueprint:
              template: dev
              image: registry.example.test/acme/portal-dev:1
              env:
                FROM_REPO: portal
              initScripts:
                - name: repo
                  script: echo "repo layer for $USERNAME on $BLUEPRINT" > "$HOME/repo-ran"
            """);

        var provisioning = await Provisioning.RunAsync(fixture.Client, "erin~repo=acme%2Fportal+ref=main");

        Assert.Equal((WorkspaceStatus.Running, "repo-acme-portal"), (provisioning.Final.Status, provisioning.Handshake.Blueprint));
        var workspace = await fixture.Client.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = provisioning.Handshake.Workspace }, cancellationToken: Cancellation);
        Assert.Equal(("repo-acme-portal", "acme/portal", "main", "Welcome to dev"), (workspace.Blueprint, workspace.Origin, workspace.RepoRef, workspace.Splash));
        var folder = Path.Combine(fixture.DataDirectory, "workspaces", workspace.Name);
        var config = await File.ReadAllTextAsync(Path.Combine(folder, "k8shelld.json"), Cancellation);
        // base (the template of dev) → dev → the repository's layer.
        Assert.Contains("\"FROM_BLUEPRINT\": \"base-value\"", config);
        Assert.Contains("\"FROM_REPO\": \"portal\"", config);
        Assert.Contains("\"IMAGE\": \"registry.example.test/acme/portal-dev:1\"", config);
        Assert.Equal("init ran for erin in repo-acme-portal\n", await File.ReadAllTextAsync(Path.Combine(folder, "home", "init-ran"), Cancellation));
        Assert.Equal("repo layer for erin on repo-acme-portal\n", await File.ReadAllTextAsync(Path.Combine(folder, "home", "repo-ran"), Cancellation));
        Assert.Contains(("/api/repos/acme/portal/contents/.k8shell.yaml?ref=main", ""), fixture.GitHub.RepositoryReads);
    }

    [Fact]
    public async Task An_invalid_file_or_none_falls_back_to_the_default_custom_blueprint_and_the_log_says_why()
    {
        SetFile("acme/widened", """
            blueprint:
              template: dev
              securityContext:
                privileged: true
            """);
        await using var provisioner = await fixture.StartProvisionerAsync(_data, new() { ["Provisioner__Blueprints__DefaultCustom"] = "dev" });
        var client = ProvisionerFixture.ClientOf(provisioner, fixture.CallerToken);

        var invalid = await Provisioning.RunAsync(client, "erin~repo=acme%2Fwidened");
        var none = await Provisioning.RunAsync(client, "erin~repo=acme%2Fnothing");

        Assert.Equal((WorkspaceStatus.Running, "dev"), (invalid.Final.Status, invalid.Handshake.Blueprint));
        Assert.Equal((WorkspaceStatus.Running, "dev"), (none.Final.Status, none.Handshake.Blueprint));
        Assert.Contains("Repository acme/widened for erin: its .k8shell.yaml is not used (acme/widened/.k8shell.yaml:3: securityContext: unknown field", provisioner.Process.Output);
        Assert.Contains("Repository acme/nothing for erin: its .k8shell.yaml is not used (acme/nothing has no .k8shell.yaml at the default branch on idp.k8shell.io/github", provisioner.Process.Output);
        Assert.Contains("the default custom blueprint dev instead", provisioner.Process.Output);
        Assert.Equal(0, await provisioner.Process.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Without_a_default_an_unusable_file_is_refused_with_the_reason()
    {
        SetFile("acme/unknown-key", "blueprint:\n  template: dev\n  apps: {}\n");

        var refusal = await Assert.ThrowsAsync<RpcException>(() => Provisioning.RunAsync(fixture.Client, "erin~repo=acme%2Funknown-key"));

        Assert.Equal(StatusCode.NotFound, refusal.StatusCode);
        Assert.StartsWith("no blueprint for repository acme/unknown-key: acme/unknown-key/.k8shell.yaml:3: apps: unknown field", refusal.Status.Detail);
        Assert.EndsWith("and no default is configured (Provisioner:Blueprints:DefaultCustom): name a blueprint, e.g. erin~<blueprint>", refusal.Status.Detail);
    }

    [Fact]
    public async Task A_file_on_a_blueprint_the_user_may_not_use_is_permission_denied()
    {
        SetFile("acme/extra", "blueprint:\n  template: extra\n  env: {FROM_REPO: extra}\n");

        var refusal = await Assert.ThrowsAsync<RpcException>(() => Provisioning.RunAsync(fixture.Client, "erin~repo=acme%2Fextra"));

        Assert.Equal((StatusCode.PermissionDenied, "user erin may not use blueprint extra, which the .k8shell.yaml of acme/extra builds on"),
            (refusal.StatusCode, refusal.Status.Detail));
    }

    [Fact]
    public async Task A_provider_that_does_not_answer_makes_the_provision_unavailable_and_finding_the_workspace_does_not_wait_for_it()
    {
        SetFile("acme/slow", "blueprint:\n  template: dev\n");
        fixture.GitHub.DelayRepository("acme/slow", TimeSpan.FromSeconds(30));

        var refusal = await Assert.ThrowsAsync<RpcException>(() => Provisioning.RunAsync(fixture.Client, "erin~repo=acme%2Fslow"));
        var found = await fixture.Client.GetWorkspacesByUserStrAsync(new GetWorkspacesByUserStrRequest { Userstr = "erin~repo=acme%2Fslow" }, cancellationToken: Cancellation);

        Assert.Equal(StatusCode.Unavailable, refusal.StatusCode);
        Assert.Equal($"the .k8shell.yaml of acme/slow cannot be read now: idp.k8shell.io/github: {fixture.GitHub.Address}/api/repos/acme/slow/contents/.k8shell.yaml " +
            $"did not answer within {ProvisionerFixture.GitHubTimeout.TotalSeconds:0} s; try again", refusal.Status.Detail);
        Assert.Empty(found.Workspaces);
    }

    private void SetFile(string repository, string yaml) => fixture.GitHub.SetRepositoryFile(repository, Encoding.UTF8.GetBytes(yaml));

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
