using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Provisioner.Blueprints;
using K8shell.UserStrings;

namespace K8shell.Provisioner.Workspaces;

/// <summary>A repository's blueprint put on its template, or why the repository's file cannot be used (then the default custom blueprint serves).</summary>
internal sealed record RepositoryBlueprintOutcome(Blueprint? Blueprint, string? Unusable);

/// <summary>
/// A repository user string's own blueprint (reference §7.2 step 3): the repository's <c>.k8shell.yaml</c> from
/// Identity, read strictly (<see cref="CustomBlueprint"/>) and composed on its template. A file that is missing,
/// refused, too large, invalid or built on an unknown blueprint cannot be used — an answer, with the reason. A
/// template the user may not build on is PermissionDenied; Identity or the provider not answering is Unavailable.
/// </summary>
internal sealed class RepositoryBlueprints(IdentityService.IdentityServiceClient identity, BlueprintCatalog catalog)
{
    /// <summary>Longer than Identity's provider timeout (10 s by default), so Identity's precise answer comes before this deadline.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public async Task<RepositoryBlueprintOutcome> ReadAsync(UserString userString, User user, CancellationToken cancellationToken)
    {
        var repository = $"{userString.RepoOwner}/{userString.RepoName}";
        RepositoryBlueprint file;
        try
        {
            file = await identity.GetBlueprintByUserStrAsync(new GetBlueprintByUserStrRequest { Userstr = userString.Canonical },
                deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken);
        }
        catch (RpcException answer) when (answer.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition)
        {
            return new RepositoryBlueprintOutcome(null, answer.Status.Detail);
        }
        catch (RpcException failure) when (failure.StatusCode == StatusCode.Unimplemented)
        {
            return new RepositoryBlueprintOutcome(null, "the identity service does not read repositories");
        }
        catch (RpcException failure) when (failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"the .k8shell.yaml of {repository} cannot be read now: {failure.Status.Detail}; try again"));
        }
        catch (RpcException failure) when (failure.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.Internal or StatusCode.Unknown)
        {
            // Identity refusing the Provisioner itself, or failing: nothing the person at the terminal did.
            throw new RpcException(new Status(StatusCode.Unavailable, $"the identity service is unavailable; try again ({failure.StatusCode}: {failure.Status.Detail})"));
        }
        catch (RpcException refused)
        {
            throw new RpcException(new Status(refused.StatusCode, $"the .k8shell.yaml of {repository} cannot be read: {refused.Status.Detail}"));
        }

        var name = $"{repository}/.k8shell.yaml";
        if (file.Blueprint.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new RepositoryBlueprintOutcome(null, $"{name}: the file is empty");
        }
        CustomBlueprint custom;
        try
        {
            custom = CustomBlueprint.Read(file.Blueprint.Span, name);
        }
        catch (FormatException invalid)
        {
            return new RepositoryBlueprintOutcome(null, invalid.Message);
        }
        if (catalog.Find(custom.Template) is not { } template)
        {
            return new RepositoryBlueprintOutcome(null, $"{name}:{custom.Node.Start.Line}: template: there is no blueprint {custom.Template}");
        }
        if (!BlueprintCatalog.EntitlesToBuildOn(user.Blueprints, template))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"user {user.Username} may not use blueprint {template.Name}, which the .k8shell.yaml of {repository} builds on"));
        }
        try
        {
            return new RepositoryBlueprintOutcome(catalog.Compose(custom, userString.Blueprint!), null);
        }
        catch (FormatException invalid)
        {
            return new RepositoryBlueprintOutcome(null, invalid.Message);
        }
    }
}
