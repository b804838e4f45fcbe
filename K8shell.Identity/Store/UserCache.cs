using System.Data.Common;
using System.Text.Json;
using K8shell.Database;
using K8shell.Identity.Users;

namespace K8shell.Identity.Store;

/// <summary>A user of a remote provider as last fetched, and when that copy must be refreshed.</summary>
public sealed record CachedUser(UserRecord User, DateTimeOffset ExpiresAt);

/// <summary>
/// The <c>users</c> table (reference §3.7): a cache of what remote providers said about their users,
/// which stay authoritative. Rows are replaced whole; a user the provider no longer knows is kept,
/// marked invalid, so it cannot log in but its name is not silently reused.
/// </summary>
public sealed class UserCache(ServiceDatabase database, TimeProvider time)
{
    private const string Columns =
        "username, source, external_id, is_valid, locked, expires_at, uid, gid, fullname, email, organization, shell, sudo, roles, blueprints, auths, auth_keys, password, updated_at";

    /// <summary>Insert or replace every column but the key.</summary>
    private static readonly string Upsert =
        $"INSERT INTO users ({Columns}) VALUES (@{Columns.Replace(", ", ", @")}) ON CONFLICT (username) DO UPDATE SET "
        + string.Join(", ", Columns.Split(", ").Skip(1).Select(column => $"{column} = excluded.{column}"));

    public Task<CachedUser?> FindAsync(string username, CancellationToken cancellationToken) =>
        ReadAsync(database.Command($"SELECT {Columns} FROM users WHERE username = @username", ("username", username)), cancellationToken);

    public Task<CachedUser?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        ReadAsync(database.Command($"SELECT {Columns} FROM users WHERE lower(email) = lower(@email) ORDER BY username LIMIT 1", ("email", email)), cancellationToken);

    public async Task SaveAsync(UserRecord user, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var command = database.Command(Upsert,
            ("username", user.Username), ("source", user.Source), ("external_id", user.ExternalId), ("is_valid", user.IsValid),
            ("locked", user.Locked), ("expires_at", expiresAt.ToUnixTimeMilliseconds()), ("uid", (long)user.Uid), ("gid", (long)user.Gid),
            ("fullname", user.Fullname), ("email", user.Email), ("organization", user.Organization), ("shell", user.Shell), ("sudo", user.Sudo),
            ("roles", Json(user.Roles)), ("blueprints", Json(user.Blueprints)), ("auths", Json(user.Auths)),
            ("auth_keys", string.Join('\n', user.AuthorizedKeys)), ("password", user.PasswordHash),
            ("updated_at", time.GetUtcNow().ToUnixTimeMilliseconds()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The provider no longer knows or admits the user.</summary>
    public async Task InvalidateAsync(string username, CancellationToken cancellationToken)
    {
        await using var command = database.Command("UPDATE users SET is_valid = @invalid, updated_at = @now WHERE username = @username",
            ("invalid", false), ("now", time.GetUtcNow().ToUnixTimeMilliseconds()), ("username", username));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Task<CachedUser?> ReadAsync(DbCommand command, CancellationToken cancellationToken) =>
        command.ReadFirstAsync(Read, cancellationToken);

    private static CachedUser Read(DbDataReader row)
    {
        var user = new UserRecord
        {
            Username = row.GetString(0),
            Source = row.GetString(1),
            ExternalId = row.GetString(2),
            IsValid = row.GetBoolean(3),
            Locked = row.GetBoolean(4),
            Uid = (uint)row.GetInt64(6),
            Gid = (uint)row.GetInt64(7),
            Fullname = row.GetString(8),
            Email = row.GetString(9),
            Organization = row.GetString(10),
            Shell = row.GetString(11),
            Sudo = row.GetBoolean(12),
            Roles = List(row.GetString(13)),
            Blueprints = List(row.GetString(14)),
            Auths = List(row.GetString(15)),
            AuthorizedKeys = [.. row.GetString(16).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(AuthorizedKey.Parse)],
            PasswordHash = row.IsDBNull(17) ? null : row.GetString(17),
        };
        return new CachedUser(user, DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(5)));
    }

    private static string Json(IReadOnlyList<string> values) => JsonSerializer.Serialize(values);

    private static string[] List(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];
}
