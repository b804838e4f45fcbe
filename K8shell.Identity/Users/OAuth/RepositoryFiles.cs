using System.Net;

namespace K8shell.Identity.Users.OAuth;

public enum RepositoryFileOutcome
{
    Found,
    /// <summary>No such repository, ref or file — or one the provider does not show us, which looks the same.</summary>
    Missing,
    /// <summary>Larger than <see cref="RepositoryFiles.MaxBytes"/>; not read.</summary>
    TooLarge,
    /// <summary>The provider refused to show it (401, 403): a private repository, or a token without access.</summary>
    Refused,
}

/// <summary>What a provider answered for a repository's file; <see cref="HttpStatus"/> for the record.</summary>
public sealed record RepositoryFile(RepositoryFileOutcome Outcome, byte[] Content, string Address, int HttpStatus);

/// <summary>
/// A provider's repositories, as far as custom blueprints need them: the <c>.k8shell.yaml</c> at a repository's
/// root. Read with the operator's <c>RepositoryToken</c> when there is one, else anonymously — never with a
/// user's own token: Identity uses the device grant's token once, to read the profile, and keeps none.
/// </summary>
public sealed class RepositoryFiles(string provider, RepositoryEndpoints endpoints, string? token, OAuthHttp http)
{
    /// <summary>A blueprint is a page of YAML; anything far bigger is not one, and is not held in memory.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The user's source these repositories belong to, e.g. idp.k8shell.io/github.</summary>
    public string Provider => provider;

    /// <summary>Reads <c>.k8shell.yaml</c> of <paramref name="repository"/> at <paramref name="reference"/> (null: the provider's default).</summary>
    /// <exception cref="ProviderUnavailableException">The provider cannot be asked now (unreachable, slow, rate-limited, answering nonsense).</exception>
    public async Task<RepositoryFile> ReadBlueprintAsync(RepositoryName repository, string? reference, CancellationToken cancellationToken)
    {
        var url = Fill(endpoints.File, repository, reference ?? endpoints.DefaultRef);
        var answer = await http.GetFileAsync(url, endpoints.Accept, token, MaxBytes, cancellationToken);
        var address = Fill(endpoints.Address, repository, "");
        RepositoryFile Outcome(RepositoryFileOutcome outcome) => new(outcome, answer.Content, address, (int)answer.Status);
        return answer switch
        {
            { RateLimited: true } => throw new ProviderUnavailableException(
                $"{provider} limits the rate of calls and refused this one; try again later{(token is null ? " (a RepositoryToken raises the limit)" : "")}"),
            { Status: HttpStatusCode.OK, TooLarge: true } => Outcome(RepositoryFileOutcome.TooLarge),
            { Status: HttpStatusCode.OK } => Outcome(RepositoryFileOutcome.Found),
            { Status: HttpStatusCode.NotFound } => Outcome(RepositoryFileOutcome.Missing),
            { Status: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } => Outcome(RepositoryFileOutcome.Refused),
            _ => throw new ProviderUnavailableException($"{provider}: {new Uri(url).GetLeftPart(UriPartial.Path)} answered HTTP {(int)answer.Status}"),
        };
    }

    /// <summary>
    /// Fills a template; every value is escaped, so no part of a user string becomes a path segment or parameter of
    /// its own (but the checked segments of <see cref="RepositoryName.Name"/>). A query parameter left empty is
    /// dropped (GitHub then reads the default branch).
    /// </summary>
    private static string Fill(string template, RepositoryName repository, string reference)
    {
        var url = template
            .Replace("{owner}", Uri.EscapeDataString(repository.Owner))
            // A GitLab subgroup's slash stays a path separator in the address; GitHub has no such repositories (404).
            .Replace("{name}", string.Join('/', repository.Name.Split('/').Select(Uri.EscapeDataString)))
            .Replace("{project}", Uri.EscapeDataString($"{repository.Owner}/{repository.Name}"))
            .Replace("{ref}", Uri.EscapeDataString(reference));
        if (url.Split('?', 2) is not [var path, var query])
        {
            return url;
        }
        var kept = query.Split('&').Where(parameter => !parameter.EndsWith('=')).ToList();
        return kept.Count == 0 ? path : $"{path}?{string.Join('&', kept)}";
    }
}
