using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Identity.Users;
using K8shell.Identity.Users.OAuth;
using K8shell.UserStrings;

namespace K8shell.Identity.Repositories;

/// <summary>
/// <c>GetBlueprintByUserStr</c> (reference §3.2): a repository user string → the repository's <c>.k8shell.yaml</c>,
/// read from the provider that owns the user. The user string names no host, and a bare <c>repo=portal</c>
/// means the user's own repository there, so the owner's provider is the only one the name can mean; users of
/// files have none. The file is returned unparsed (what it may set is the Provisioner's to judge); every
/// answer that is not the file is a status with the reason (identity.proto).
/// </summary>
internal sealed class RepositoryBlueprints(UserDirectory users, OAuthProviders providers, ILogger<RepositoryBlueprints> logger)
{
    public async Task<RepositoryBlueprint> ReadAsync(string userstr, CancellationToken cancellationToken)
    {
        var (userString, repository) = Parse(userstr);
        var user = await users.FindAsync(userString.Username, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"there is no user {userString.Username}"));
        if (!user.IsValid || user.Locked)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{user.Username}: the account is {(user.Locked ? "locked" : "disabled")}"));
        }
        var repositories = providers.Find(user.Source)?.Repositories ?? throw new RpcException(new Status(StatusCode.FailedPrecondition,
            $"{user.Username} is a user of {user.Source}, which has no repositories to read {repository}'s .k8shell.yaml from"));
        var at = userString.Ref is { } reference ? $"ref {reference}" : "the default branch";

        var file = await repositories.ReadBlueprintAsync(repository, userString.Ref, cancellationToken);
        logger.LogInformation("Blueprint of {Repository} at {Ref} for {Username} from {Provider}: {Outcome} (HTTP {Status}, {Bytes} bytes)",
            repository, at, user.Username, repositories.Provider, file.Outcome, file.HttpStatus, file.Content.Length);
        return file.Outcome switch
        {
            RepositoryFileOutcome.Found => new RepositoryBlueprint { Blueprint = ByteString.CopyFrom(file.Content), RepoAddress = file.Address },
            RepositoryFileOutcome.Missing => throw new RpcException(new Status(StatusCode.NotFound,
                $"{repository} has no .k8shell.yaml at {at} on {repositories.Provider} (or the repository or the ref does not exist there, or is private)")),
            RepositoryFileOutcome.TooLarge => throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"{repository}'s .k8shell.yaml at {at} is larger than {RepositoryFiles.MaxBytes / 1024} KiB, too large for a blueprint")),
            _ => throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"{repositories.Provider} refused to show {repository}'s .k8shell.yaml at {at} (HTTP {file.HttpStatus}): the repository is private, or the RepositoryToken has no access to it")),
        };
    }

    private static (UserString UserString, RepositoryName Repository) Parse(string userstr)
    {
        if (!UserStringParser.TryParse(userstr, out var userString, out var error))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, error.Message));
        }
        if (userString.Form != UserStringForm.Repo)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{userString.Canonical} does not name a repository (repo=owner%2Fname)"));
        }
        var repository = RepositoryName.Of(userString.RepoOwner!, userString.RepoName!) ?? throw new RpcException(new Status(StatusCode.InvalidArgument,
            $"{userString.RepoOwner}/{userString.RepoName} is not a repository name: letters, digits, -, _ and . are expected"));
        return (userString, repository);
    }
}
