using System.Collections.Concurrent;
using K8shell.Contracts.Identity.V1;

namespace K8shell.SshProxy.Authentication;

/// <summary>
/// The users' JWTs from Identity (<c>IssueUserToken</c>), one per user for every connection of this proxy, kept
/// until shortly before they expire. One token serves k8shelld (its calls), Sessions (recording headers) and the
/// policy (the subject), so it carries both service audiences.
/// </summary>
internal sealed class UserTokens(IdentityService.IdentityServiceClient identity, TimeProvider time)
{
    /// <summary>The audiences the token must carry: k8shelld accepts only "k8shelld", Sessions only "sessions".</summary>
    public static readonly string[] Audiences = ["k8shelld", "sessions"];

    /// <summary>A token with less than this left is replaced, so no call starts with one about to lapse.</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, IssueUserTokenResponse> _tokens = new(StringComparer.Ordinal);

    public async ValueTask<string> GetAsync(string username, CancellationToken cancellationToken)
    {
        if (_tokens.TryGetValue(username, out var cached) && cached.ExpiresAt.ToDateTimeOffset() - time.GetUtcNow() > RenewBefore)
        {
            return cached.UserToken;
        }
        var request = new IssueUserTokenRequest { Username = username, Source = "ssh-proxy" };
        request.Audiences.AddRange(Audiences);
        var issued = await identity.IssueUserTokenAsync(request, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
        _tokens[username] = issued;
        return issued.UserToken;
    }
}
