using Grpc.Core;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;

namespace K8shell.Provisioner.Tests;

/// <summary>Provisioners of the tests' own, each on its own data directory: restarts, and a daemon that cannot start.</summary>
public sealed class ProvisionerRestartTests(ProvisionerFixture fixture) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("k8shell-provisioner-restart-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_a_restart_a_live_daemon_is_adopted_and_a_dead_one_is_reported_stopped()
    {
        var keepRunning = new Dictionary<string, string?> { ["Provisioner__Process__KeepRunningOnShutdown"] = "true" };
        string adoptedName, deadName;
        int deadPid;
        await using (var first = await fixture.StartProvisionerAsync(_data, keepRunning))
        {
            var client = ProvisionerFixture.ClientOf(first, fixture.CallerToken);
            adoptedName = (await Provisioning.RunAsync(client, "alice~dev")).Handshake.Workspace;
            deadName = (await Provisioning.RunAsync(client, "bob~dev")).Handshake.Workspace;
            deadPid = int.Parse(File.ReadAllText(Path.Combine(_data, "workspaces", deadName, "k8shelld.pid")).Split(' ')[0]);
            Assert.Equal(0, await first.Process.StopAsync(TimeSpan.FromSeconds(30)));
        }
        // The Provisioner is gone; one daemon dies meanwhile.
        using (var dead = System.Diagnostics.Process.GetProcessById(deadPid))
        {
            dead.Kill();
            await dead.WaitForExitAsync(Cancellation);
        }

        await using var second = await fixture.StartProvisionerAsync(_data);
        var restarted = ProvisionerFixture.ClientOf(second, fixture.CallerToken);

        var adopted = await restarted.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = adoptedName }, cancellationToken: Cancellation);
        Assert.Equal(WorkspaceStatus.Running, adopted.WorkspaceStatus.Status);
        Assert.Contains($"Adopted the running daemon of {adoptedName}", second.Process.Output);
        using (var daemon = GrpcChannels.WithBearer(new Uri($"http://127.0.0.1:{adopted.Port}"), await fixture.DaemonTokenAsync("alice")))
        {
            var handshake = await new SystemService.SystemServiceClient(daemon).HandshakeAsync(new HandshakeRequest { Username = "alice" }, cancellationToken: Cancellation);
            Assert.Equal(adoptedName, handshake.Workspace);
        }
        var stopped = await restarted.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = deadName }, cancellationToken: Cancellation);
        Assert.Equal(WorkspaceStatus.Stopped, stopped.WorkspaceStatus.Status);
        Assert.Equal(WorkspaceStatus.Running, (await Provisioning.ReadAsync(restarted.StartWorkspaceStream(
            new StartWorkspaceRequest { Workspace = deadName }, cancellationToken: Cancellation))).Final.Status);

        // This Provisioner stops its daemons, adopted ones included, when it stops.
        Assert.Equal(0, await second.Process.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(Directory.GetFiles(Path.Combine(_data, "workspaces"), "k8shelld.pid", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_daemon_that_cannot_start_fails_the_provision_with_what_it_printed_and_leaves_no_folder()
    {
        await using var provisioner = await fixture.StartProvisionerAsync(_data, new() { ["Provisioner__Process__Daemon"] = "/bin/false" });
        var client = ProvisionerFixture.ClientOf(provisioner, fixture.CallerToken);

        var provisioning = await Provisioning.RunAsync(client, "alice~dev");

        Assert.Equal((WorkspaceStatus.Failing, "Failed"), (provisioning.Final.Status, provisioning.Final.Stage));
        Assert.StartsWith("k8shelld exited during start", provisioning.Final.Message);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_data, "workspaces")));
        var job = await client.GetProvisionJobAsync(new GetProvisionJobRequest { JobId = provisioning.Handshake.JobId }, cancellationToken: Cancellation);
        Assert.Equal(ProvisionJob.Types.Status.Failed, job.Status);
        Assert.Equal(provisioning.Final, job.Events.Last());
    }

    [Fact]
    public async Task Listing_filters_and_pages_newest_first()
    {
        await using var provisioner = await fixture.StartProvisionerAsync(_data);
        var client = ProvisionerFixture.ClientOf(provisioner, fixture.CallerToken);
        foreach (var userstr in new[] { "alice~dev", "bob~dev", "bob~extra" })
        {
            Assert.Equal(WorkspaceStatus.Running, (await Provisioning.RunAsync(client, userstr)).Final.Status);
        }

        var bobs = await client.GetWorkspacesAsync(new GetWorkspacesRequest { Usernames = { "bob" } }, cancellationToken: Cancellation);
        var firstPage = await client.GetWorkspacesAsync(new GetWorkspacesRequest { PageSize = 2 }, cancellationToken: Cancellation);
        var secondPage = await client.GetWorkspacesAsync(new GetWorkspacesRequest { PageSize = 2, PageToken = firstPage.NextPageToken }, cancellationToken: Cancellation);
        var devs = await client.GetWorkspacesAsync(new GetWorkspacesRequest { Blueprint = "dev", Status = WorkspaceStatus.Running }, cancellationToken: Cancellation);

        Assert.Equal(["extra", "dev"], bobs.Workspaces.Select(workspace => workspace.Blueprint));
        Assert.Equal(["bob~extra", "bob~dev", "alice~dev"], firstPage.Workspaces.Concat(secondPage.Workspaces).Select(workspace => workspace.Userstr));
        Assert.Equal("", secondPage.NextPageToken);
        Assert.Equal(["bob", "alice"], devs.Workspaces.Select(workspace => workspace.Username));
        var badToken = await Assert.ThrowsAsync<RpcException>(() => client.GetWorkspacesAsync(new GetWorkspacesRequest { PageToken = "x" }, cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badToken.StatusCode);

        var deleted = await client.DeleteUserWorkspacesAsync(new DeleteUserWorkspacesRequest { Username = "bob" }, cancellationToken: Cancellation);
        Assert.Equal("deleted 2 workspace(s) of bob", deleted.Message);
        Assert.Equal(["alice~dev"], (await client.GetWorkspacesAsync(new GetWorkspacesRequest(), cancellationToken: Cancellation)).Workspaces.Select(workspace => workspace.Userstr));
        Assert.Equal(0, await provisioner.Process.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_repository_workspace_gets_the_default_custom_blueprint_and_its_git_variables()
    {
        await using var provisioner = await fixture.StartProvisionerAsync(_data, new() { ["Provisioner__Blueprints__DefaultCustom"] = "dev" });
        var client = ProvisionerFixture.ClientOf(provisioner, fixture.CallerToken);

        var provisioning = await Provisioning.RunAsync(client, "alice~repo=acme%2Fportal+ref=main");

        Assert.Equal((WorkspaceStatus.Running, "dev"), (provisioning.Final.Status, provisioning.Handshake.Blueprint));
        var workspace = await client.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = provisioning.Handshake.Workspace }, cancellationToken: Cancellation);
        Assert.Equal(("acme", "portal", "main", "acme/portal"), (workspace.RepoOwner, workspace.RepoName, workspace.RepoRef, workspace.Origin));
        var config = await File.ReadAllTextAsync(Path.Combine(_data, "workspaces", workspace.Name, "k8shelld.json"), Cancellation);
        Assert.Contains("\"GIT_REPOOWNER\": \"acme\"", config);
        Assert.Contains("\"GIT_REPOREF\": \"main\"", config);
        Assert.Equal(0, await provisioner.Process.StopAsync(TimeSpan.FromSeconds(30)));
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
