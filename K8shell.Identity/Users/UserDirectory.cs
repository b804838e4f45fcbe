using K8shell.Identity.Store;
using K8shell.Identity.Users.Files;
using K8shell.Identity.Users.OAuth;

namespace K8shell.Identity.Users;

/// <summary>
/// Finds users (reference §3.6): the user files first (in memory, always current), then the cache of
/// remote providers' users. A cached user past its expiry, or marked invalid, is asked of its provider
/// again: found, the copy is replaced; gone or no longer admitted, it is marked invalid and cannot log in.
/// A provider that cannot be reached is a <see cref="ProviderUnavailableException"/>, not a login refusal.
/// </summary>
public sealed class UserDirectory(FileUserProvider files, UserCache cache, OAuthProviders providers, TimeProvider time, ILogger<UserDirectory> logger)
{
    public async Task<UserRecord?> FindAsync(string username, CancellationToken cancellationToken) =>
        files.Find(username) ?? await CurrentAsync(await cache.FindAsync(username, cancellationToken), cancellationToken);

    public async Task<UserRecord?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        files.FindByEmail(email) ?? await CurrentAsync(await cache.FindByEmailAsync(email, cancellationToken), cancellationToken);

    /// <summary>Keeps a user a provider has just vouched for.</summary>
    public Task SaveAsync(UserRecord user, OAuthProvider provider, CancellationToken cancellationToken) =>
        cache.SaveAsync(user, time.GetUtcNow() + provider.UserMaxAge, cancellationToken);

    private async Task<UserRecord?> CurrentAsync(CachedUser? cached, CancellationToken cancellationToken)
    {
        if (cached is null || cached.User.IsValid && cached.ExpiresAt > time.GetUtcNow())
        {
            return cached?.User;
        }
        var user = cached.User;
        var provider = providers.Find(user.Source);
        var fresh = provider is null ? null : await provider.RefreshAsync(user, cancellationToken);
        if (fresh is null || fresh.Username != user.Username)
        {
            if (user.IsValid)
            {
                logger.LogWarning("User {Username} is no longer valid: {Reason}", user.Username,
                    provider is null ? $"{user.Source} is not configured any more"
                    : fresh is null ? $"{user.Source} no longer knows or admits them"
                    : $"renamed to {fresh.Username} at {user.Source}");
                await cache.InvalidateAsync(user.Username, cancellationToken);
            }
            return user with { IsValid = false };
        }
        await SaveAsync(fresh, provider!, cancellationToken);
        logger.LogInformation("Refreshed user {Username} from {Source}: {Keys} keys", fresh.Username, fresh.Source, fresh.AuthorizedKeys.Count);
        return fresh;
    }
}
