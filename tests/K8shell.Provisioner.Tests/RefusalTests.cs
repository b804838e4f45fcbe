using Grpc.Core;
using K8shell.Contracts.Provisioner.V1;

namespace K8shell.Provisioner.Tests;

/// <summary>Bad requests get a precise status and a message for the person at the terminal, and start nothing.</summary>
public sealed class RefusalTests(ProvisionerFixture fixture)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("b64-x", StatusCode.InvalidArgument, "invalid base64 user string")]
    [InlineData("alice~pod=ws1", StatusCode.InvalidArgument, "cannot provision using a pod name")]
    [InlineData("mallory~dev", StatusCode.NotFound, "there is no user mallory")]
    [InlineData("alice~nosuch", StatusCode.NotFound, "there is no blueprint nosuch; known: dev, extra, slow")]
    [InlineData("bob~base", StatusCode.InvalidArgument, "blueprint base is a template and cannot be provisioned")]
    [InlineData("alice~extra", StatusCode.PermissionDenied, "user alice may not provision blueprint extra")]
    [InlineData("dave", StatusCode.PermissionDenied, "user dave may not provision any blueprint")]
    [InlineData("carol~dev", StatusCode.PermissionDenied, "user carol is locked")]
    [InlineData("alice~repo=acme%2Fportal", StatusCode.NotFound, "no blueprint for repository acme/portal")]
    public async Task A_provision_that_cannot_be_done_is_refused_before_any_work(string userstr, StatusCode status, string message)
    {
        var refusal = await Assert.ThrowsAsync<RpcException>(() => Provisioning.RunAsync(fixture.Client, userstr));

        Assert.Equal(status, refusal.StatusCode);
        Assert.Contains(message, refusal.Status.Detail);
    }

    [Theory]
    [InlineData("../../etc", StatusCode.InvalidArgument)]
    [InlineData("Alice-59936c3", StatusCode.InvalidArgument)]
    [InlineData("nobody-0000000", StatusCode.NotFound)]
    public async Task Workspace_names_are_checked_before_they_are_looked_up(string name, StatusCode status)
    {
        foreach (var call in new Func<Task>[]
        {
            () => fixture.Client.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation).ResponseAsync,
            () => fixture.Client.StopWorkspaceAsync(new StopWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation).ResponseAsync,
            () => fixture.Client.DeleteWorkspaceAsync(new DeleteWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation).ResponseAsync,
            () => Provisioning.ReadAsync(fixture.Client.StartWorkspaceStream(new StartWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation)),
        })
        {
            Assert.Equal(status, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-caller-token")]
    public async Task Callers_without_an_allowed_credential_are_refused(string? token)
    {
        var stranger = ProvisionerFixture.ClientOf(fixture.Provisioner, token);

        var refusal = await Assert.ThrowsAsync<RpcException>(() => Provisioning.RunAsync(stranger, "alice~dev"));

        Assert.Equal(StatusCode.Unauthenticated, refusal.StatusCode);
    }

    [Fact]
    public async Task An_unknown_job_is_not_found()
    {
        var refusal = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Client.GetProvisionJobAsync(new GetProvisionJobRequest { JobId = Guid.NewGuid().ToString() }, cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, refusal.StatusCode);
    }

    [Fact]
    public async Task Blueprints_are_listed_for_a_user_as_they_may_provision_them()
    {
        var forAlice = await fixture.Client.GetBlueprintsAsync(new GetBlueprintsRequest { Username = "alice" }, cancellationToken: Cancellation);
        var all = await fixture.Client.GetBlueprintsAsync(new GetBlueprintsRequest { IncludeTemplates = true }, cancellationToken: Cancellation);

        Assert.Equal(["dev", "slow"], forAlice.Blueprints.Select(blueprint => blueprint.Name));
        Assert.Equal(["base", "dev", "extra", "slow"], all.Blueprints.Select(blueprint => blueprint.Name).Order());
        Assert.Equal("base", all.Blueprints.Single(blueprint => blueprint.Name == "dev").Template);
    }
}
