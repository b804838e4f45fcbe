using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Provisioner.Blueprints;
using K8shell.UserStrings;
using Microsoft.Extensions.Options;

namespace K8shell.Provisioner.Workspaces;

/// <summary>
/// User string → what to provision (reference §7.2 steps 1–3): parsed, the user looked up in
/// Identity, the blueprint chosen (named, or the user's first allowed one) and the entitlement
/// checked. Every refusal is an <see cref="RpcException"/> whose message the person at the terminal reads.
/// </summary>
internal sealed class WorkspaceResolver(IdentityService.IdentityServiceClient identity, BlueprintCatalog catalog, IOptions<BlueprintOptions> options)
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
        var blueprint = Choose(userString, user);
        var resolved = userString.Form == UserStringForm.Implicit ? userString.WithBlueprint(blueprint.Name) : userString;
        var owner = new WorkspaceOwner(user.Username, user.Uid, user.Gid, user.Shell, user.Organization, user.Email, user.Fullname, user.Sudo);
        return (resolved, owner, blueprint);
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

    private Blueprint Choose(UserString userString, User user)
    {
        // A repository's own .k8shell.yaml cannot be fetched yet (Identity has no call for it), so it gets the
        // default custom blueprint, as the reference does when that file is missing or unreadable.
        var name = userString.BlueprintKind == BlueprintKind.Custom
            ? options.Value.DefaultCustom ?? throw new RpcException(new Status(StatusCode.NotFound,
                $"no blueprint for repository {userString.RepoOwner}/{userString.RepoName}: its .k8shell.yaml cannot be read and no default is configured ({BlueprintOptions.Section}:DefaultCustom); name a blueprint, e.g. {user.Username}~<blueprint>"))
            : userString.Blueprint;
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
