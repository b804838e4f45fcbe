using K8shell.Database;
namespace K8shell.Identity.Store;

/// <summary>A started RFC 8628 device grant: what Identity needs to poll the provider for it.</summary>
public sealed record DeviceFlow(
    string Provider,
    string Username,
    string DeviceCode,
    string UserCode,
    string VerificationUri,
    DateTimeOffset ExpiresAt,
    TimeSpan Interval,
    DateTimeOffset NextPollAt);

/// <summary>
/// The <c>device_flows</c> table: one pending grant per provider and username, in the shared store so
/// the replica that completes a flow need not be the one that started it. Rows go when the flow ends.
/// </summary>
public sealed class DeviceFlows(ServiceDatabase database)
{
    public async Task SaveAsync(DeviceFlow flow, CancellationToken cancellationToken)
    {
        await using var command = database.Command(
            """
            INSERT INTO device_flows (provider, username, device_code, user_code, verification_uri, expires_at, interval_seconds, next_poll_at)
            VALUES (@provider, @username, @device_code, @user_code, @verification_uri, @expires_at, @interval_seconds, @next_poll_at)
            ON CONFLICT (provider, username) DO UPDATE SET device_code = excluded.device_code, user_code = excluded.user_code,
                verification_uri = excluded.verification_uri,
                expires_at = excluded.expires_at, interval_seconds = excluded.interval_seconds, next_poll_at = excluded.next_poll_at
            """,
            ("provider", flow.Provider), ("username", flow.Username), ("device_code", flow.DeviceCode), ("user_code", flow.UserCode),
            ("verification_uri", flow.VerificationUri),
            ("expires_at", flow.ExpiresAt.ToUnixTimeMilliseconds()), ("interval_seconds", (long)flow.Interval.TotalSeconds),
            ("next_poll_at", flow.NextPollAt.ToUnixTimeMilliseconds()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<DeviceFlow?> FindAsync(string provider, string username, CancellationToken cancellationToken) =>
        database.Command(
            """
            SELECT device_code, user_code, verification_uri, expires_at, interval_seconds, next_poll_at
            FROM device_flows WHERE provider = @provider AND username = @username
            """,
            ("provider", provider), ("username", username))
        .ReadFirstAsync(row => new DeviceFlow(provider, username, row.GetString(0), row.GetString(1), row.GetString(2),
            DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(3)), TimeSpan.FromSeconds(row.GetInt64(4)),
            DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(5))), cancellationToken);

    public async Task DeleteAsync(string provider, string username, CancellationToken cancellationToken)
    {
        await using var command = database.Command("DELETE FROM device_flows WHERE provider = @provider AND username = @username",
            ("provider", provider), ("username", username));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
