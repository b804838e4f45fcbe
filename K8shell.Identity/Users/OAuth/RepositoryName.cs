namespace K8shell.Identity.Users.OAuth;

/// <summary>
/// A repository as the user string names it: an owner and a name (GitLab's subgroups are part of the name), each
/// path segment letters, digits, <c>-</c>, <c>_</c> or <c>.</c> and never <c>.</c> or <c>..</c>, as GitHub and GitLab allow.
/// </summary>
public sealed record RepositoryName(string Owner, string Name)
{
    /// <summary>The name, or null when <paramref name="owner"/> or <paramref name="name"/> cannot be a repository's.</summary>
    public static RepositoryName? Of(string owner, string name) =>
        Segment(owner) && name.Split('/').All(Segment) ? new RepositoryName(owner, name) : null;

    public override string ToString() => $"{Owner}/{Name}";

    private static bool Segment(string segment) =>
        segment.Length is > 0 and <= 100 && segment is not ("." or "..") && segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
