using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Contracts.Sessions.V1;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.Contracts.Tests;

// Minimal servers built on the generated bases: enough behaviour to exercise each message shape.

internal sealed class FakeIdentity : IdentityService.IdentityServiceBase
{
    public override Task<User> FindUser(FindUserRequest request, ServerCallContext context) => request.LookupCase switch
    {
        FindUserRequest.LookupOneofCase.Username when request.Username == "alice" =>
            Task.FromResult(new User { Username = "alice", Uid = 1000, Gid = 1000, IsValid = true, AuthMethods = { "publickey" } }),
        FindUserRequest.LookupOneofCase.Email => throw new RpcException(new Status(StatusCode.NotFound, $"no user with email {request.Email}")),
        _ => throw new RpcException(new Status(StatusCode.NotFound, $"no user {request.Username}")),
    };

    /// <summary>One repository with a file, as a provider would hold it; every other string is not found.</summary>
    public override Task<RepositoryBlueprint> GetBlueprintByUserStr(GetBlueprintByUserStrRequest request, ServerCallContext context) => request.Userstr switch
    {
        "alice~repo=acme%2Fportal" => Task.FromResult(new RepositoryBlueprint
        {
            Blueprint = ByteString.CopyFrom(RepositoryFile),
            RepoAddress = "https://github.com/acme/portal",
        }),
        "alice~dev" => throw new RpcException(new Status(StatusCode.InvalidArgument, "alice~dev does not name a repository")),
        _ => throw new RpcException(new Status(StatusCode.NotFound, $"{request.Userstr}: the repository has no .k8shell.yaml")),
    };

    /// <summary>A file's bytes go through untouched: a byte-order mark and text that is not UTF-8 included.</summary>
    public static readonly byte[] RepositoryFile = [0xEF, 0xBB, 0xBF, .. "blueprint:\n  template: dev\n"u8, 0xFF];
}

internal sealed class FakeProvisioner : ProvisionerService.ProvisionerServiceBase
{
    public override async Task ProvisionWorkspaceStream(ProvisionWorkspaceRequest request, IServerStreamWriter<ProvisionWorkspaceResponse> responses, ServerCallContext context)
    {
        await responses.WriteAsync(new() { Handshake = new ProvisionHandshake { Workspace = "alice-59936c3", JobId = "job-1", Blueprint = "dev" } });
        await responses.WriteAsync(Event(ProvisionEvent.Types.Type.Status, WorkspaceStatus.Starting, 0));
        await responses.WriteAsync(Event(ProvisionEvent.Types.Type.Progress, WorkspaceStatus.Starting, 20));
        await responses.WriteAsync(Event(ProvisionEvent.Types.Type.Progress, WorkspaceStatus.Running, 100));
        await responses.WriteAsync(Event(ProvisionEvent.Types.Type.Status, WorkspaceStatus.Running, 0));
    }

    private static ProvisionWorkspaceResponse Event(ProvisionEvent.Types.Type type, WorkspaceStatus status, uint percent) => new()
    {
        Event = new ProvisionEvent { Type = type, Status = status, Percent = percent, ObjectName = "alice-59936c3", Timestamp = Timestamp.FromDateTime(DateTime.UtcNow) },
    };
}

internal sealed class FakeRecording : RecordingService.RecordingServiceBase
{
    public override async Task<RecordingAck> StreamShellRecording(IAsyncStreamReader<ShellRecordingFrame> frames, ServerCallContext context)
    {
        var ack = new RecordingAck();
        await foreach (var frame in frames.ReadAllAsync(context.CancellationToken))
        {
            if (frame.FrameCase == ShellRecordingFrame.FrameOneofCase.Header)
            {
                ack.StreamId = frame.Header.Origin.StreamId;
            }
            else if (frame.Sequence > ack.LastSequence)
            {
                ack.LastSequence = frame.Sequence;
            }
        }
        return ack;
    }
}

internal sealed class FakeProcesses : ProcessService.ProcessServiceBase
{
    public override async Task Exec(IAsyncStreamReader<ProcessRequest> requests, IServerStreamWriter<ProcessResponse> responses, ServerCallContext context)
    {
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            switch (request.MessageCase)
            {
                case ProcessRequest.MessageOneofCase.Start:
                    await responses.WriteAsync(new() { Started = new ProcessStarted { Pid = 4242, Program = "/bin/sh" } });
                    break;
                case ProcessRequest.MessageOneofCase.Stdin:
                    await responses.WriteAsync(new() { Stdout = request.Stdin });
                    break;
                case ProcessRequest.MessageOneofCase.StdinEof:
                    await responses.WriteAsync(new() { Stderr = ByteString.CopyFromUtf8("cat: closing\n") });
                    await responses.WriteAsync(new() { Exit = new ProcessExit { ExitSignal = new ExitSignal { Name = "TERM" } } });
                    return;
            }
        }
    }
}

internal sealed class FakeTunnels : TunnelService.TunnelServiceBase
{
    public override async Task Listen(ListenRequest request, IServerStreamWriter<ListenEvent> events, ServerCallContext context)
    {
        await events.WriteAsync(new() { Listening = new Listening { Path = $"/run/user/1000/k8shell/{request.SessionId}/agent.sock" } });
        await events.WriteAsync(new() { Incoming = new IncomingConnection { ConnectionId = "c1", PeerPid = 77 } });
    }

    public override async Task Accept(IAsyncStreamReader<AcceptRequest> requests, IServerStreamWriter<TunnelResponse> responses, ServerCallContext context)
    {
        var connectionId = "";
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            if (request.MessageCase == AcceptRequest.MessageOneofCase.ConnectionId)
            {
                connectionId = request.ConnectionId;
                await responses.WriteAsync(new() { Opened = new TunnelOpened() });
            }
            else if (request.MessageCase == AcceptRequest.MessageOneofCase.Data)
            {
                await responses.WriteAsync(new() { Data = ByteString.CopyFromUtf8($"{connectionId}:{request.Data.ToStringUtf8()}") });
            }
        }
        await responses.WriteAsync(new() { Eof = new TunnelEof() });
    }
}
