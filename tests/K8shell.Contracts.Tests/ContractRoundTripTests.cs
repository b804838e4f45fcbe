using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Contracts.Sessions.V1;
using K8shell.Contracts.Workspace.V1;
using Microsoft.AspNetCore.Builder;

namespace K8shell.Contracts.Tests;

/// <summary>
/// Each streaming shape of the contracts (unary, server, client and bidirectional streaming),
/// generated as server and client and carried over a real HTTP/2 connection.
/// </summary>
public sealed class ContractRoundTripTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Identity_unary_calls_carry_users_and_errors_as_status_codes()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcService<FakeIdentity>());
        var client = new IdentityService.IdentityServiceClient(server.Channel);

        var user = await client.FindUserAsync(new FindUserRequest { Username = "alice" }, cancellationToken: Cancellation);
        Assert.Equal(["publickey"], user.AuthMethods);
        Assert.Equal(1000u, user.Uid);

        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            client.FindUserAsync(new FindUserRequest { Email = "nobody@example.com" }, cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal("no user with email nobody@example.com", missing.Status.Detail);
    }

    [Fact]
    public async Task A_repository_blueprint_arrives_as_the_file_bytes_and_its_absence_as_not_found()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcService<FakeIdentity>());
        var client = new IdentityService.IdentityServiceClient(server.Channel);

        var found = await client.GetBlueprintByUserStrAsync(new GetBlueprintByUserStrRequest { Userstr = "alice~repo=acme%2Fportal" }, cancellationToken: Cancellation);
        Assert.Equal(FakeIdentity.RepositoryFile, found.Blueprint.ToByteArray());
        Assert.Equal("https://github.com/acme/portal", found.RepoAddress);

        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetBlueprintByUserStrAsync(new GetBlueprintByUserStrRequest { Userstr = "alice~repo=acme%2Fnone" }, cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var notRepository = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetBlueprintByUserStrAsync(new GetBlueprintByUserStrRequest { Userstr = "alice~dev" }, cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, notRepository.StatusCode);
    }

    [Fact]
    public async Task Provisioning_streams_a_handshake_then_events_until_a_terminal_status()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcService<FakeProvisioner>());
        var client = new ProvisionerService.ProvisionerServiceClient(server.Channel);

        using var call = client.ProvisionWorkspaceStream(new ProvisionWorkspaceRequest { Userstr = "alice~dev", SendProgress = true }, cancellationToken: Cancellation);
        var messages = await call.ResponseStream.ReadAllAsync(Cancellation).ToListAsync(Cancellation);

        Assert.Equal(ProvisionWorkspaceResponse.MessageOneofCase.Handshake, messages[0].MessageCase);
        Assert.Equal("alice-59936c3", messages[0].Handshake.Workspace);
        Assert.Equal([20u, 100u], messages.Where(m => m.Event?.Type == ProvisionEvent.Types.Type.Progress).Select(m => m.Event.Percent));
        Assert.Equal(WorkspaceStatus.Running, messages[^1].Event.Status);
    }

    [Fact]
    public async Task Recordings_stream_sequenced_frames_and_acknowledge_what_was_kept()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcService<FakeRecording>());
        var client = new RecordingService.RecordingServiceClient(server.Channel);

        using var call = client.StreamShellRecording(cancellationToken: Cancellation);
        var origin = new RecordingOrigin { SessionId = "local-42-ab", StreamId = "sh-local-42-ab1" };
        await call.RequestStream.WriteAsync(new ShellRecordingFrame { Header = new ShellRecordingHeader { Origin = origin, Width = 80, Height = 24 } }, Cancellation);
        await call.RequestStream.WriteAsync(new ShellRecordingFrame { Sequence = 1, Chunk = new DataChunk { Data = ByteString.CopyFromUtf8("$ ") } }, Cancellation);
        await call.RequestStream.WriteAsync(new ShellRecordingFrame { Sequence = 2, Resize = new TerminalResize { Width = 120, Height = 40 } }, Cancellation);
        // A resent frame after a reconnect: same sequence, must not count twice.
        await call.RequestStream.WriteAsync(new ShellRecordingFrame { Sequence = 2, Resize = new TerminalResize { Width = 120, Height = 40 } }, Cancellation);
        await call.RequestStream.CompleteAsync();

        var ack = await call;
        Assert.Equal("sh-local-42-ab1", ack.StreamId);
        Assert.Equal(2ul, ack.LastSequence);
    }

    [Fact]
    public async Task Exec_is_a_bidirectional_stream_with_separate_stderr_and_an_exit_signal()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcService<FakeProcesses>());
        var client = new ProcessService.ProcessServiceClient(server.Channel);

        using var call = client.Exec(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new ProcessRequest { Start = new ProcessStart { Command = "cat", StreamId = "ex-local-42-ab2" } }, Cancellation);
        await call.RequestStream.WriteAsync(new ProcessRequest { Stdin = ByteString.CopyFromUtf8("hello") }, Cancellation);
        await call.RequestStream.WriteAsync(new ProcessRequest { StdinEof = new StdinEof() }, Cancellation);
        await call.RequestStream.CompleteAsync();

        var responses = await call.ResponseStream.ReadAllAsync(Cancellation).ToListAsync(Cancellation);
        Assert.Equal(ProcessResponse.MessageOneofCase.Started, responses[0].MessageCase);
        Assert.Equal("hello", responses.Single(r => r.MessageCase == ProcessResponse.MessageOneofCase.Stdout).Stdout.ToStringUtf8());
        Assert.Equal("cat: closing\n", responses.Single(r => r.MessageCase == ProcessResponse.MessageOneofCase.Stderr).Stderr.ToStringUtf8());
        Assert.Equal(new ExitSignal { Name = "TERM", CoreDumped = false }, responses[^1].Exit.ExitSignal);
    }

    [Fact]
    public async Task Listeners_announce_incoming_connections_that_accept_claims()
    {
        await using var server = await GrpcTestServer.StartAsync(app => app.MapGrpcService<FakeTunnels>());
        var client = new TunnelService.TunnelServiceClient(server.Channel);

        using var listen = client.Listen(new ListenRequest { SessionId = "local-42-ab", Agent = new AgentListener() }, cancellationToken: Cancellation);
        Assert.True(await listen.ResponseStream.MoveNext(Cancellation));
        Assert.EndsWith("agent.sock", listen.ResponseStream.Current.Listening.Path);
        Assert.True(await listen.ResponseStream.MoveNext(Cancellation));
        var incoming = listen.ResponseStream.Current.Incoming;

        using var accept = client.Accept(cancellationToken: Cancellation);
        await accept.RequestStream.WriteAsync(new AcceptRequest { ConnectionId = incoming.ConnectionId }, Cancellation);
        await accept.RequestStream.WriteAsync(new AcceptRequest { Data = ByteString.CopyFromUtf8("ping") }, Cancellation);
        await accept.RequestStream.CompleteAsync();
        var replies = await accept.ResponseStream.ReadAllAsync(Cancellation).ToListAsync(Cancellation);
        Assert.Equal(TunnelResponse.MessageOneofCase.Opened, replies[0].MessageCase);
        Assert.Equal($"{incoming.ConnectionId}:ping", replies[1].Data.ToStringUtf8());
        Assert.Equal(TunnelResponse.MessageOneofCase.Eof, replies[^1].MessageCase);
    }
}
