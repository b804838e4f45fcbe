using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Provisioner.Blueprints;
using K8shell.UserStrings;
using Microsoft.Extensions.Options;

namespace K8shell.Provisioner.Workspaces;

/// <summary>
/// User string → what to provision (reference §7.2 steps 1–3): parsed, the user looked up in
/// Identity, the blueprint chosen (named, the user's first allowed one, or a repository's own with the
/// default custom blueprint to fall back on) and the entitlement checked. Every refusal is an
/// <see cref="RpcException"/> whose message the person at the terminal reads.
/// </summary>
internal sealed class WorkspaceResolver(
    IdentityService.IdentityServiceClient identity,
    BlueprintCatalog catalog,
    RepositoryBlueprints repositories,
    IOptions<BlueprintOptions> options,
    ILogger<WorkspaceResolver> logger)
{
    public static UserString Parse(string userstr) => UserStringParser.TryParse(userstr, out var parsed, out var error)
        ? parsed
        : throw new RpcException(new Status(StatusCode.InvalidArgument, error.Message));

    /// <summary>The user string with its blueprint resolved (implicit strings get their default), the owner and the blueprint.</summary>
    public async Task<(UserString UserString, WorkspaceOwner Owner, Blueprint Blueprint)> ResolveAsync(UserString userString, CancellationToken cancellationToken)
    {
        if (userString.Form == UserStringForm.Named)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"cannot provision using a pod name (pod={userString.Pod}): connect to an existing workspace or name a blueprint"));
        }
        if (userString.WorkloadKind is not null)
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, "injecting a workspace into a workload is not supported by this Provisioner"));
        }
        var user = await FindUserAsync(userString.Username, cancellationToken);
        var blueprint = await ChooseAsync(userString, user, cancellationToken);
        var resolved = userString.Form == UserStringForm.Implicit ? userString.WithBlueprint(blueprint.Name) : userString;
        var owner = new WorkspaceOwner(user.Username, user.Uid, user.Gid, user.Shell, user.Organization, user.Email, user.Fullname, user.Sudo);
        return (resolved, owner, blueprint);
    }

    /// <summary>
    /// The workspace a user string names, for finding it. A repository's file is not read for that: the canonical ID
    /// does not depend on the blueprint, and finding a workspace must not wait for, or fail with, the provider.
    /// </summary>
    public async Task<string> WorkspaceNameAsync(UserString userString, CancellationToken cancellationToken)
    {
        switch (userString.Form)
        {
            case UserStringForm.Named:
                return userString.Pod!;
            case UserStringForm.Repo:
                await FindUserAsync(userString.Username, cancellationToken);
                return userString.CanonicalId;
            default:
                return (await ResolveAsync(userString, cancellationToken)).UserString.CanonicalId;
        }
    }

    public async Task<User> FindUserAsync(string username, CancellationToken cancellationToken)
    {
        User user;
        try
        {
            user = await identity.FindUserAsync(new FindUserRequest { Username = username }, cancellationToken: cancellationToken);
        }
        catch (RpcException failure) when (failure.StatusCode == StatusCode.NotFound)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"there is no user {username}"));
        }
        catch (RpcException failure) when (failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"the identity service is unavailable; try again ({failure.StatusCode})"));
        }
        if (!user.IsValid || user.Locked)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"user {username} is {(user.Locked ? "locked" : "no longer valid")}"));
        }
        return user;
    }

    private async Task<Blueprint> ChooseAsync(UserString userString, User user, CancellationToken cancellationToken)
    {
        var name = userString.Blueprint;
        if (userString.BlueprintKind == BlueprintKind.Custom)
        {
            var repository = $"{userString.RepoOwner}/{userString.RepoName}";
            var own = await repositories.ReadAsync(userString, user, cancellationToken);
            if (own.Blueprint is not null)
            {
                logger.LogInformation("Repository {Repository} for {Username}: its .k8shell.yaml on {Template}", repository, user.Username, own.Blueprint.Template);
                return own.Blueprint;
            }
            // As the reference does when the file is missing, unreadable or invalid: the default custom blueprint.
            name = options.Value.DefaultCustom ?? throw new RpcException(new Status(StatusCode.NotFound,
                $"no blueprint for repository {repository}: {own.Unusable}; and no default is configured ({BlueprintOptions.Section}:DefaultCustom): name a blueprint, e.g. {user.Username}~<blueprint>"));
            logger.LogWarning("Repository {Repository} for {Username}: its .k8shell.yaml is not used ({Reason}); the default custom blueprint {Blueprint} instead",
                repository, user.Username, own.Unusable, name);
        }
        if (name is null)
        {
            return catalog.DefaultFor(user.Blueprints) ?? throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"user {user.Username} may not provision any blueprint"));
        }
        var blueprint = catalog.Find(name) ?? throw new RpcException(new Status(StatusCode.NotFound,
            $"there is no blueprint {name}; known: {string.Join(", ", catalog.All.Where(known => !known.IsTemplate).Select(known => known.Name))}"));
        if (blueprint.IsTemplate)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"blueprint {name} is a template and cannot be provisioned"));
        }
        return BlueprintCatalog.Entitles(user.Blueprints, blueprint) ? blueprint
            : throw new RpcException(new Status(StatusCode.PermissionDenied, $"user {user.Username} may not provision blueprint {name}"));
    }
}
