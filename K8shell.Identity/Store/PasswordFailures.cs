using K8shell.Database;
namespace K8shell.Identity.Store;

/// <summary>
/// The <c>password_failures</c> table: wrong passwords in a row per user, and until when the user is
/// locked out. Counting happens in one statement, so replicas sharing the database agree on the count.
/// </summary>
public sealed class PasswordFailures(ServiceDatabase database, TimeProvider time)
{
    /// <summary>When the user's lockout ends, or null when they are not locked out.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string username, CancellationToken cancellationToken)
    {
        await using var command = database.Command("SELECT locked_until FROM password_failures WHERE username = @username AND locked_until > @now",
            ("username", username), ("now", time.GetUtcNow().ToUnixTimeMilliseconds()));
        return await command.ExecuteScalarAsync(cancellationToken) is long until ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null;
    }

    /// <summary>
    /// Counts a wrong password. The <paramref name="limit"/>th in a row locks the user out for
    /// <paramref name="lockFor"/> and starts the count again; returns when that lockout ends, or null.
    /// </summary>
    public async Task<DateTimeOffset?> RecordFailureAsync(string username, int limit, TimeSpan lockFor, CancellationToken cancellationToken)
    {
        var until = (time.GetUtcNow() + lockFor).ToUnixTimeMilliseconds();
        var first = limit <= 1;
        await using var command = database.Command(
            """
            INSERT INTO password_failures (username, failures, locked_until) VALUES (@username, @first_failures, @first_locked_until)
            ON CONFLICT (username) DO UPDATE SET
                failures = CASE WHEN password_failures.failures + 1 >= @limit THEN 0 ELSE password_failures.failures + 1 END,
                locked_until = CASE WHEN password_failures.failures + 1 >= @limit THEN @until ELSE password_failures.locked_until END
            RETURNING locked_until
            """,
            ("username", username), ("first_failures", first ? 0L : 1L), ("first_locked_until", first ? until : 0L), ("limit", (long)limit), ("until", until));
        return await command.ExecuteScalarAsync(cancellationToken) is long lockedUntil && lockedUntil == until
            ? DateTimeOffset.FromUnixTimeMilliseconds(lockedUntil)
            : null;
    }

    /// <summary>A right password: the count starts again.</summary>
    public async Task ClearAsync(string username, CancellationToken cancellationToken)
    {
        await using var command = database.Command("DELETE FROM password_failures WHERE username = @username", ("username", username));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
