using Grpc.Core;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Provisioner.Blueprints;
using K8shell.Provisioner.Jobs;
using K8shell.Provisioner.Kubernetes;
using NATS.Client.Core;

namespace K8shell.Provisioner.Workspaces;

/// <summary>
/// provisioner.proto: finding, listing, provisioning, starting, stopping and deleting workspaces on the
/// configured backend. Refusals are statuses with a message for the person at the terminal; a backend
/// that cannot be reached is Unavailable.
/// </summary>
internal sealed class ProvisionerGrpcService(
    IWorkspaceBackend backend,
    WorkspaceResolver resolver,
    ProvisionJobs jobs,
    JobRecords records,
    BlueprintCatalog catalog,
    ILogger<ProvisionerGrpcService> logger) : ProvisionerService.ProvisionerServiceBase
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public override async Task<Workspace> FindWorkspace(FindWorkspaceRequest request, ServerCallContext context) =>
        await FindAsync(WorkspaceNames.Checked(request.Workspace), context.CancellationToken)
        ?? throw new RpcException(new Status(StatusCode.NotFound, $"there is no workspace {request.Workspace}"));

    public override async Task<GetWorkspacesResponse> GetWorkspaces(GetWorkspacesRequest request, ServerCallContext context)
    {
        var pageSize = request.PageSize == 0 ? DefaultPageSize : (int)Math.Min(request.PageSize, MaxPageSize);
        var offset = request.PageToken is { Length: > 0 } token
            ? int.TryParse(token, out var parsed) && parsed >= 0 ? parsed : throw new RpcException(new Status(StatusCode.InvalidArgument, "page_token is not one this service gave"))
            : 0;
        var matching = (await ListAsync(context.CancellationToken)).Where(workspace => WorkspaceFilter.Matches(request, workspace))
            .OrderByDescending(workspace => workspace.WorkspaceStatus.Created).ThenBy(workspace => workspace.Name).ToList();
        var response = new GetWorkspacesResponse { Workspaces = { matching.Skip(offset).Take(pageSize) } };
        if (offset + pageSize < matching.Count)
        {
            response.NextPageToken = (offset + pageSize).ToString();
        }
        return response;
    }

    public override async Task<GetWorkspacesResponse> GetWorkspacesByUserStr(GetWorkspacesByUserStrRequest request, ServerCallContext context)
    {
        var name = await resolver.WorkspaceNameAsync(WorkspaceResolver.Parse(request.Userstr), context.CancellationToken);
        return new GetWorkspacesResponse { Workspaces = { await FindAsync(name, context.CancellationToken) is { } found ? [found] : Array.Empty<Workspace>() } };
    }

    public override async Task<GetBlueprintsResponse> GetBlueprints(GetBlueprintsRequest request, ServerCallContext context)
    {
        var allowed = request.Username is { Length: > 0 } username ? (await resolver.FindUserAsync(username, context.CancellationToken)).Blueprints : null;
        return new GetBlueprintsResponse
        {
            Blueprints =
            {
                catalog.All.Where(blueprint => allowed is null ? request.IncludeTemplates || !blueprint.IsTemplate : BlueprintCatalog.Entitles(allowed, blueprint))
                    .Select(blueprint => new BlueprintSummary { Name = blueprint.Name, Description = blueprint.Description, IsTemplate = blueprint.IsTemplate, Template = blueprint.Template }),
            },
        };
    }

    public override async Task ProvisionWorkspaceStream(ProvisionWorkspaceRequest request, IServerStreamWriter<ProvisionWorkspaceResponse> responseStream, ServerCallContext context)
    {
        var (userString, owner, blueprint) = await resolver.ResolveAsync(WorkspaceResolver.Parse(request.Userstr), context.CancellationToken);
        var name = userString.CanonicalId;
        var existing = jobs.Running(name) is null ? await FindAsync(name, context.CancellationToken) : null;
        if (existing?.WorkspaceStatus.Status is WorkspaceStatus.Running or WorkspaceStatus.Warning)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"workspace {name} already exists and is running"));
        }
        var (job, joined) = jobs.StartOrJoin(name, owner.Username, blueprint.Name, jobId => new WorkspaceSpec(name, userString, owner, blueprint, jobId),
            isNew: existing is null, Timeout(request.TimeoutSeconds));
        await StreamAsync(job, joined, request.SendProgress, request.SendEvents, responseStream, context);
    }

    public override async Task StartWorkspaceStream(StartWorkspaceRequest request, IServerStreamWriter<ProvisionWorkspaceResponse> responseStream, ServerCallContext context)
    {
        var name = WorkspaceNames.Checked(request.Workspace);
        var (job, joined) = jobs.Running(name) is { } running ? (running, true) : await StartAsync(name, request.TimeoutSeconds, context.CancellationToken);
        await StreamAsync(job, joined, request.SendProgress, request.SendEvents, responseStream, context);
    }

    /// <summary>A job that brings back a stopped workspace as its stored user string now resolves.</summary>
    private async Task<(RunningJob Job, bool Joined)> StartAsync(string name, uint timeoutSeconds, CancellationToken cancellationToken)
    {
        var existing = await FindAsync(name, cancellationToken) ?? throw new RpcException(new Status(StatusCode.NotFound, $"there is no workspace {name}"));
        if (existing.WorkspaceStatus.Status is WorkspaceStatus.Running or WorkspaceStatus.Warning)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"workspace {name} is already running"));
        }
        var (userString, owner, blueprint) = await resolver.ResolveAsync(WorkspaceResolver.Parse(existing.Userstr), cancellationToken);
        return jobs.StartOrJoin(name, owner.Username, blueprint.Name, jobId => new WorkspaceSpec(name, userString, owner, blueprint, jobId),
            isNew: false, Timeout(timeoutSeconds));
    }

    public override async Task<WorkspaceActionResponse> StopWorkspace(StopWorkspaceRequest request, ServerCallContext context)
    {
        var name = await ExistingAsync(request.Workspace, context.CancellationToken);
        return await ActAsync(name, request.DelaySeconds, "stopped (its home is kept)", async cancellationToken =>
        {
            await jobs.CancelAsync(name);
            await backend.StopAsync(name, cancellationToken);
        }, context.CancellationToken);
    }

    public override async Task<WorkspaceActionResponse> DeleteWorkspace(DeleteWorkspaceRequest request, ServerCallContext context)
    {
        var name = await ExistingAsync(request.Workspace, context.CancellationToken);
        return await ActAsync(name, request.DelaySeconds, "deleted", cancellationToken => DeleteAsync(name, cancellationToken), context.CancellationToken);
    }

    public override async Task<WorkspaceActionResponse> DeleteUserWorkspaces(DeleteUserWorkspacesRequest request, ServerCallContext context)
    {
        var names = (await ListAsync(context.CancellationToken)).Where(workspace => workspace.Username == request.Username).Select(workspace => workspace.Name).ToList();
        foreach (var name in names)
        {
            await DeleteAsync(name, context.CancellationToken);
        }
        return new WorkspaceActionResponse { Message = $"deleted {names.Count} workspace(s) of {request.Username}" };
    }

    public override async Task<ProvisionJob> GetProvisionJob(GetProvisionJobRequest request, ServerCallContext context)
    {
        if (jobs.RunningById(request.JobId) is { } running)
        {
            return running.Snapshot();
        }
        try
        {
            return await records.GetAsync(request.JobId, context.CancellationToken)
                ?? throw new RpcException(new Status(StatusCode.NotFound, $"there is no record of job {request.JobId}"));
        }
        catch (NatsException failure)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"job records are unavailable (NATS: {failure.Message}); try again"));
        }
    }

    /// <summary>The handshake, then the job's events this caller asked for, until the job ends or the caller leaves.</summary>
    private static async Task StreamAsync(RunningJob job, bool joined, bool sendProgress, bool sendEvents,
        IServerStreamWriter<ProvisionWorkspaceResponse> responseStream, ServerCallContext context)
    {
        var events = job.Follow(context.CancellationToken);
        await responseStream.WriteAsync(new ProvisionWorkspaceResponse
        {
            Handshake = new ProvisionHandshake { Workspace = job.Workspace, JobId = job.Id, JoinedExistingJob = joined, Blueprint = job.Blueprint },
        }, context.CancellationToken);
        await foreach (var @event in events.ReadAllAsync(context.CancellationToken))
        {
            if (@event.Type switch
            {
                ProvisionEvent.Types.Type.Progress => sendProgress,
                ProvisionEvent.Types.Type.Event => sendEvents,
                _ => true,
            })
            {
                await responseStream.WriteAsync(new ProvisionWorkspaceResponse { Event = @event }, context.CancellationToken);
            }
        }
    }

    private async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await jobs.CancelAsync(name);
        await backend.DeleteAsync(name, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="action"/> now, or — with a delay, which lets the shell inside the workspace
    /// that asked print its goodbye — in the background after it, answering at once.
    /// </summary>
    private async Task<WorkspaceActionResponse> ActAsync(string name, uint delaySeconds, string done, Func<CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        if (delaySeconds == 0)
        {
            await Backend(() => action(cancellationToken));
            return new WorkspaceActionResponse { Message = $"workspace {name} {done}" };
        }
        var delay = TimeSpan.FromSeconds(Math.Min(delaySeconds, MaxDelay.TotalSeconds));
        _ = Task.Run(async () =>
        {
            await Task.Delay(delay);
            try
            {
                await action(CancellationToken.None);
            }
            catch (Exception failure)
            {
                logger.LogError(failure, "Workspace {Workspace} could not be {Done} after the requested delay", name, done);
            }
        }, CancellationToken.None);
        return new WorkspaceActionResponse { Message = $"workspace {name} will be {done} in {delay.TotalSeconds:0} s" };
    }

    private async Task<string> ExistingAsync(string workspace, CancellationToken cancellationToken)
    {
        var name = WorkspaceNames.Checked(workspace);
        return jobs.Running(name) is not null || await FindAsync(name, cancellationToken) is not null
            ? name
            : throw new RpcException(new Status(StatusCode.NotFound, $"there is no workspace {name}"));
    }

    private Task<Workspace?> FindAsync(string name, CancellationToken cancellationToken) => Backend(() => backend.FindAsync(name, cancellationToken));

    private Task<IReadOnlyList<Workspace>> ListAsync(CancellationToken cancellationToken) => Backend(() => backend.ListAsync(cancellationToken));

    private static async Task Backend(Func<Task> call) => await Backend(async () => { await call(); return true; });

    private static async Task<T> Backend<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (WorkspaceBackendUnavailableException failure)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, failure.Message));
        }
        catch (KubernetesRefusedException failure)
        {
            // The cluster refused the Provisioner itself (its role, a quota, an invalid object): the operator's to fix.
            throw new RpcException(new Status(StatusCode.FailedPrecondition, failure.Message));
        }
        catch (TimeoutException failure)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, failure.Message));
        }
    }

    private static TimeSpan Timeout(uint seconds) => seconds == 0 ? DefaultTimeout : TimeSpan.FromSeconds(Math.Min(seconds, MaxTimeout.TotalSeconds));
}
