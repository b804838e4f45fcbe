using Grpc.Core;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>ProcessService: one call per SSH session channel, relayed by <see cref="ProcessCall"/>.</summary>
internal sealed class ProcessGrpcService(ProcessStarter starter, SessionRegistry sessions, ILoggerFactory logs) : ProcessService.ProcessServiceBase
{
    public override Task Shell(IAsyncStreamReader<ProcessRequest> requestStream, IServerStreamWriter<ProcessResponse> responseStream, ServerCallContext context) =>
        RunAsync(ProcessKind.Shell, requestStream, responseStream, context);

    public override Task Exec(IAsyncStreamReader<ProcessRequest> requestStream, IServerStreamWriter<ProcessResponse> responseStream, ServerCallContext context) =>
        RunAsync(ProcessKind.Exec, requestStream, responseStream, context);

    public override Task Sftp(IAsyncStreamReader<ProcessRequest> requestStream, IServerStreamWriter<ProcessResponse> responseStream, ServerCallContext context) =>
        RunAsync(ProcessKind.Sftp, requestStream, responseStream, context);

    private async Task RunAsync(ProcessKind kind, IAsyncStreamReader<ProcessRequest> requests, IServerStreamWriter<ProcessResponse> responses, ServerCallContext context)
    {
        if (!await requests.MoveNext(context.CancellationToken) || requests.Current.MessageCase != ProcessRequest.MessageOneofCase.Start)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message must be start"));
        }
        var start = requests.Current.Start;
        var plan = starter.Plan(kind, start, context.GetHttpContext().User);
        await new ProcessCall(plan, start, requests, responses, sessions, logs.CreateLogger<ProcessCall>()).RunAsync(context.CancellationToken);
    }
}

internal enum ProcessKind
{
    Shell,
    Exec,
    Sftp,
}
