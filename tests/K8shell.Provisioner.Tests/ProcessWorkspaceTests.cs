using Grpc.Core;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;
using K8shell.UserStrings;

namespace K8shell.Provisioner.Tests;

/// <summary>Workspaces on the Process backend, through the real Provisioner's gRPC API: real k8shelld daemons answering real calls.</summary>
public sealed class ProcessWorkspaceTests(ProvisionerFixture fixture)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_provisioned_workspace_answers_the_daemon_handshake_with_its_home_init_scripts_and_environment()
    {
        var name = UserStringParser.Parse("alice~dev").CanonicalId;

        var provisioning = await Provisioning.RunAsync(fixture.Client, "alice~dev");

        Assert.Equal(new ProvisionHandshake { Workspace = name, JobId = provisioning.Handshake.JobId, Blueprint = "dev" }, provisioning.Handshake);
        Assert.True(Guid.TryParse(provisioning.Handshake.JobId, out _));
        Assert.True(provisioning.Final.Status == WorkspaceStatus.Running, provisioning.Final.ToString());
        Assert.All(provisioning.Statuses.SkipLast(1), status => Assert.Equal(WorkspaceStatus.Starting, status.Status));
        Assert.Equal(100u, provisioning.Percents.Last());
        Assert.Equal(provisioning.Percents.Order(), provisioning.Percents);

        var workspace = await fixture.Client.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation);
        Assert.Equal((WorkspaceStatus.Running, "alice", "dev", "alice~dev", "process", "127.0.0.1", provisioning.Handshake.JobId, "Welcome to dev"),
            (workspace.WorkspaceStatus.Status, workspace.Username, workspace.Blueprint, workspace.Userstr, workspace.Backend, workspace.ServerName, workspace.JobId, workspace.Splash));

        using var daemon = GrpcChannels.WithBearer(new Uri($"http://{workspace.ServerName}:{workspace.Port}"), await fixture.DaemonTokenAsync("alice"));
        var handshake = await new SystemService.SystemServiceClient(daemon).HandshakeAsync(new HandshakeRequest { Username = "alice" }, cancellationToken: Cancellation);
        var home = Path.Combine(fixture.DataDirectory, "workspaces", name, "home");
        Assert.Equal((true, name, home), (handshake.Accepted, handshake.Workspace, handshake.Home));
        Assert.Equal("init ran for alice in dev\n", await File.ReadAllTextAsync(Path.Combine(home, "init-ran"), Cancellation));
    }

    [Fact]
    public async Task Raw_and_canonical_user_strings_find_the_same_workspace_and_a_second_provision_is_refused()
    {
        await Provisioning.RunAsync(fixture.Client, "bob~dev");

        // Raw, base64-wrapped, and implicit (bob may use every blueprint; the first by name is dev).
        foreach (var userstr in new[] { "bob~dev", new UserStringBuilder { Username = "bob", Blueprint = "dev" }.BuildBase64(), "bob" })
        {
            var found = await fixture.Client.GetWorkspacesByUserStrAsync(new GetWorkspacesByUserStrRequest { Userstr = userstr }, cancellationToken: Cancellation);
            Assert.Equal(UserStringParser.Parse("bob~dev").CanonicalId, Assert.Single(found.Workspaces).Name);
        }
        var again = await Assert.ThrowsAsync<RpcException>(() => Provisioning.RunAsync(fixture.Client, "bob~dev"));
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);
        Assert.Contains("already exists and is running", again.Status.Detail);
    }

    [Fact]
    public async Task Concurrent_provisions_of_one_workspace_join_one_job_and_start_one_daemon()
    {
        var calls = Enumerable.Range(0, 3).Select(_ => Provisioning.RunAsync(fixture.Client, "alice~slow", timeoutSeconds: 2)).ToList();

        var results = await Task.WhenAll(calls);

        Assert.Single(results.Select(result => result.Handshake.JobId).Distinct());
        Assert.Single(results, result => !result.Handshake.JoinedExistingJob);
        Assert.All(results, result => Assert.Equal(WorkspaceStatus.Failing, result.Final.Status));
        Assert.All(results, result => Assert.StartsWith("the workspace did not become ready within 2 s (last: ", result.Final.Message));
        var job = await fixture.Client.GetProvisionJobAsync(new GetProvisionJobRequest { JobId = results[0].Handshake.JobId }, cancellationToken: Cancellation);
        Assert.Equal((ProvisionJob.Types.Status.Failed, "alice"), (job.Status, job.Username));
        Assert.Single(job.Events, @event => @event.Type == ProvisionEvent.Types.Type.Status && @event.Stage == "Starting"); // one daemon started
    }

    [Fact]
    public async Task A_start_that_times_out_leaves_nothing_behind()
    {
        var name = UserStringParser.Parse("bob~slow").CanonicalId;

        var provisioning = await Provisioning.RunAsync(fixture.Client, "bob~slow", timeoutSeconds: 5);

        Assert.Equal((WorkspaceStatus.Failing, "the workspace did not become ready within 5 s (last: running the init scripts)"),
            (provisioning.Final.Status, provisioning.Final.Message));
        Assert.Contains(provisioning.Statuses, status => status.Stage == "Initializing"); // the init script was running
        var lookup = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(fixture.DataDirectory, "workspaces", name)));
    }

    [Fact]
    public async Task Stop_keeps_the_home_start_brings_the_workspace_back_and_delete_removes_everything()
    {
        var provisioning = await Provisioning.RunAsync(fixture.Client, "bob~extra");
        var name = provisioning.Handshake.Workspace;
        var folder = Path.Combine(fixture.DataDirectory, "workspaces", name);
        await File.WriteAllTextAsync(Path.Combine(folder, "home", "kept"), "work in progress", Cancellation);
        var firstPort = (await Find(name)).Port;

        var stopped = await fixture.Client.StopWorkspaceAsync(new StopWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation);

        Assert.Equal($"workspace {name} stopped (its home is kept)", stopped.Message);
        Assert.Equal(WorkspaceStatus.Stopped, (await Find(name)).WorkspaceStatus.Status);
        Assert.False(File.Exists(Path.Combine(folder, "k8shelld.pid")));
        await AssertNothingListensAsync(firstPort);

        var started = await Provisioning.ReadAsync(fixture.Client.StartWorkspaceStream(new StartWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation));

        Assert.Equal(WorkspaceStatus.Running, started.Final.Status);
        Assert.Equal("work in progress", await File.ReadAllTextAsync(Path.Combine(folder, "home", "kept"), Cancellation));
        var restarted = await Find(name);
        Assert.Equal(WorkspaceStatus.Running, restarted.WorkspaceStatus.Status);

        var deleted = await fixture.Client.DeleteWorkspaceAsync(new DeleteWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation);

        Assert.Equal($"workspace {name} deleted", deleted.Message);
        Assert.False(Directory.Exists(folder));
        await AssertNothingListensAsync(restarted.Port);
        var gone = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_workspace_while_it_is_provisioned_abandons_the_job_and_removes_it()
    {
        using var call = fixture.Client.ProvisionWorkspaceStream(new ProvisionWorkspaceRequest { Userstr = "bob~slow", TimeoutSeconds = 120 }, cancellationToken: Cancellation);
        Assert.True(await call.ResponseStream.MoveNext(Cancellation));
        var name = call.ResponseStream.Current.Handshake.Workspace;

        var deleted = await fixture.Client.DeleteWorkspaceAsync(new DeleteWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation);

        Assert.Equal($"workspace {name} deleted", deleted.Message);
        var events = new List<ProvisionEvent>();
        while (await call.ResponseStream.MoveNext(Cancellation))
        {
            events.Add(call.ResponseStream.Current.Event);
        }
        Assert.Equal((WorkspaceStatus.Error, "abandoned: the workspace is being stopped or deleted"), (events[^1].Status, events[^1].Message));
        Assert.False(Directory.Exists(Path.Combine(fixture.DataDirectory, "workspaces", name)));
        var gone = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    private async Task<Workspace> Find(string name) =>
        await fixture.Client.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = name }, cancellationToken: Cancellation);

    private static async Task AssertNothingListensAsync(uint port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => client.ConnectAsync("127.0.0.1", (int)port, Cancellation).AsTask());
    }
}
