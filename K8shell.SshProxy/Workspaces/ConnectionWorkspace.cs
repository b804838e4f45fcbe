using System.Diagnostics;
using Grpc.Core;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Contracts.Workspace.V1;
using K8shell.SshProxy.Authentication;
using K8shell.UserStrings;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Workspaces;

/// <summary>
/// The workspace of one connection (reference §1.7): found running, started when stopped, provisioned otherwise
/// (never for <c>pod=</c>), then k8shelld handshaken — once, whichever channel asks first; later channels wait for
/// the same preparation. A failed preparation is not kept: the next channel tries again.
/// </summary>
internal sealed partial class ConnectionWorkspace(
    ProvisionerService.ProvisionerServiceClient provisioner,
    DaemonChannels daemons,
    IOptions<SshProxyOptions> options,
    ProxyTelemetry telemetry,
    ILogger<ConnectionWorkspace> logger,
    ConnectionWorkspace.Context connection) : IWorkspaceAccess, IDisposable
{
    private readonly Lock _gate = new();
    private Task<WorkspaceLink>? _preparing;
    private DaemonChannels.Lease? _lease;

    /// <summary>What the preparation needs to know about the connection, and whom to tell when the workspace is ready.</summary>
    /// <remarks><paramref name="Trace"/>: the connection's span, the parent of <c>provision</c> whichever channel asked first.</remarks>
    internal sealed record Context(LoginResult Login, string SessionId, string ClientIp, Action<WorkspaceLink> Ready, CancellationToken ConnectionEnded,
        ActivityContext Trace = default);

    /// <summary>The workspace once it is ready, for the session record and the policy's resource.</summary>
    public WorkspaceLink? Ready => _preparing is { IsCompletedSuccessfully: true } done ? done.Result : null;

    public async ValueTask<WorkspaceLink> GetAsync(WorkspaceTerminal? terminal, CancellationToken cancellationToken)
    {
        Task<WorkspaceLink> preparing;
        lock (_gate)
        {
            if (_preparing is null || _preparing.IsFaulted || _preparing.IsCanceled)
            {
                _preparing = PrepareAsync(terminal);
            }
            preparing = _preparing;
        }
        return await preparing.WaitAsync(cancellationToken);
    }

    private async Task<WorkspaceLink> PrepareAsync(WorkspaceTerminal? terminal)
    {
        // The connection's preparation, not the asking channel's: a child of the connection's span. Current for this
        // method's flow, so the calls to the Provisioner and k8shelld's handshake nest under it.
        using var activity = ProxyTelemetry.Activities.StartActivity("provision", ActivityKind.Internal, connection.Trace);
        activity?.SetTag("k8shell.userstr", connection.Login.UserString.Canonical);
        var started = Stopwatch.GetTimestamp();
        await using var progress = terminal is null ? null : new ProvisionProgress(terminal);
        await using var interrupt = terminal is null ? null : new TerminalInterrupt(terminal);
        progress?.Start();
        interrupt?.Start();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionEnded, interrupt?.Interrupted ?? default);
        try
        {
            var workspace = await RunningWorkspaceAsync(progress, cancel.Token);
            var link = await HandshakeAsync(workspace, cancel.Token);
            if (progress is not null)
            {
                await progress.FinishAsync(null);
            }
            telemetry.Provisioned(Stopwatch.GetElapsedTime(started), "ready");
            activity?.SetTag("k8shell.workspace", link.Workspace);
            connection.Ready(link);
            return link;
        }
        catch (Exception failure) when (failure is not WorkspaceUnavailableException && interrupt is { Interrupted.IsCancellationRequested: true })
        {
            throw await FailAsync(progress, new WorkspaceUnavailableException("cancelled", failure), started, activity);
        }
        catch (RpcException failure)
        {
            throw await FailAsync(progress, ProvisionFailures.From(failure), started, activity);
        }
        catch (WorkspaceUnavailableException failure)
        {
            throw await FailAsync(progress, failure, started, activity);
        }
    }

    private async ValueTask<WorkspaceUnavailableException> FailAsync(ProvisionProgress? progress, WorkspaceUnavailableException failure, long started, Activity? activity)
    {
        LogPreparationFailed(logger, connection.SessionId, connection.Login.UserString.Canonical, failure.Message);
        activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
        telemetry.Provisioned(Stopwatch.GetElapsedTime(started), "failed");
        if (progress is not null)
        {
            await progress.FinishAsync(failure.Message);
        }
        return failure;
    }

    /// <summary>The workspace the user string names, running: found, started or provisioned.</summary>
    private async Task<Workspace> RunningWorkspaceAsync(ProvisionProgress? progress, CancellationToken cancellationToken)
    {
        var found = (await provisioner.GetWorkspacesByUserStrAsync(new GetWorkspacesByUserStrRequest { Userstr = connection.Login.UserString.Canonical },
            deadline: Deadline(TimeSpan.FromSeconds(10)), cancellationToken: cancellationToken)).Workspaces;
        if (found.FirstOrDefault(IsRunning) is { } running)
        {
            return running; // the common case, a second connection: the listing already has every detail
        }
        var name = await StartOrProvisionAsync(found.FirstOrDefault(workspace => workspace.WorkspaceStatus.Status == WorkspaceStatus.Stopped), progress, cancellationToken);
        var workspace = await provisioner.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = name },
            deadline: Deadline(TimeSpan.FromSeconds(10)), cancellationToken: cancellationToken);
        return IsRunning(workspace) ? workspace
            : throw new WorkspaceUnavailableException($"workspace {name} is {workspace.WorkspaceStatus.Status.ToString().ToLowerInvariant()}: {workspace.WorkspaceStatus.Message}");
    }

    /// <summary>Starts <paramref name="stopped"/>, or provisions the user string's workspace when there is none; its name once Running.</summary>
    private async Task<string> StartOrProvisionAsync(Workspace? stopped, ProvisionProgress? progress, CancellationToken cancellationToken)
    {
        var userString = connection.Login.UserString;
        if (stopped is null && userString.Form == UserStringForm.Named)
        {
            // pod= names a workspace that exists; it never makes one (reference §1.7 step 2).
            throw new WorkspaceUnavailableException($"workspace {userString.Pod} not found");
        }
        using var stream = stopped is not null
            ? provisioner.StartWorkspaceStream(new StartWorkspaceRequest { Workspace = stopped.Name, TimeoutSeconds = Seconds(), SendProgress = true }, cancellationToken: cancellationToken)
            : provisioner.ProvisionWorkspaceStream(new ProvisionWorkspaceRequest { Userstr = userString.Canonical, TimeoutSeconds = Seconds(), SendProgress = true }, cancellationToken: cancellationToken);
        try
        {
            return await FollowAsync(stream.ResponseStream, progress, cancellationToken);
        }
        catch (RpcException started) when (started.StatusCode == StatusCode.AlreadyExists)
        {
            // Another connection finished it between our look and our request: it runs now.
            return stopped?.Name ?? userString.CanonicalId;
        }
    }

    /// <summary>Follows a provision/start stream to its end: the workspace's name when Running, the reason otherwise.</summary>
    private static async Task<string> FollowAsync(IAsyncStreamReader<ProvisionWorkspaceResponse> events, ProvisionProgress? progress, CancellationToken cancellationToken)
    {
        string? name = null;
        while (await events.MoveNext(cancellationToken))
        {
            var message = events.Current;
            if (message.Handshake is { } handshake)
            {
                name = handshake.Workspace;
                continue;
            }
            var update = message.Event;
            progress?.Report(update);
            if (update.Type != ProvisionEvent.Types.Type.Status)
            {
                continue;
            }
            switch (update.Status)
            {
                case WorkspaceStatus.Running or WorkspaceStatus.Warning:
                    return name ?? update.ObjectName;
                case WorkspaceStatus.Failing or WorkspaceStatus.Stopped or WorkspaceStatus.Error:
                    throw new WorkspaceUnavailableException($"workspace failed to start: {update.Message}");
            }
        }
        throw new WorkspaceUnavailableException("workspace failed to start: the provisioner ended the stream before the workspace ran");
    }

    private async Task<WorkspaceLink> HandshakeAsync(Workspace workspace, CancellationToken cancellationToken)
    {
        var lease = daemons.Acquire(workspace, connection.Login.User.Username);
        HandshakeResponse answer;
        try
        {
            answer = await new SystemService.SystemServiceClient(lease.Calls).HandshakeAsync(new HandshakeRequest
            {
                ClientVersion = $"K8shell.SshProxy/{ProxyVersion.Number}",
                SessionId = connection.SessionId,
                Username = connection.Login.User.Username,
                ClientIp = connection.ClientIp,
            }, deadline: Deadline(options.Value.DaemonHandshakeTimeout), cancellationToken: cancellationToken);
        }
        catch (RpcException failure)
        {
            lease.Dispose();
            throw new WorkspaceUnavailableException(failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
                ? $"workspace {workspace.Name} is unreachable, try again in a moment"
                : $"workspace {workspace.Name} refused the connection: {failure.Status.Detail}", failure);
        }
        if (!answer.Accepted)
        {
            lease.Dispose();
            throw new WorkspaceUnavailableException($"connection rejected by workspace {workspace.Name}: {answer.Message}");
        }
        _lease = lease;
        return new WorkspaceLink(workspace.Name, workspace.Blueprint, answer, lease.Calls);
    }

    private static bool IsRunning(Workspace workspace) => workspace.WorkspaceStatus.Status is WorkspaceStatus.Running or WorkspaceStatus.Warning;

    private uint Seconds() => (uint)options.Value.ProvisionTimeout.TotalSeconds;

    private static DateTime Deadline(TimeSpan timeout) => DateTime.UtcNow + timeout;

    public void Dispose() => _lease?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: workspace for {UserString} not ready: {Reason}")]
    private static partial void LogPreparationFailed(ILogger logger, string sessionId, string userString, string reason);
}
