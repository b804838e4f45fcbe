using K8shell.Database;

namespace K8shell.Identity.Store;

/// <summary>Identity's tables: users of remote providers, password failures and device flows. Append new migrations; never edit one that has shipped.</summary>
public sealed class StoreSchema(ServiceDatabase database, ILogger<StoreSchema> logger)
{
    /// <summary>Types and SQL both databases accept: TEXT, BIGINT (unix milliseconds for times), BOOLEAN.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE users (
            username TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            external_id TEXT NOT NULL,
            is_valid BOOLEAN NOT NULL,
            locked BOOLEAN NOT NULL,
            expires_at BIGINT NOT NULL,
            uid BIGINT NOT NULL,
            gid BIGINT NOT NULL,
            fullname TEXT NOT NULL,
            email TEXT NOT NULL,
            organization TEXT NOT NULL,
            shell TEXT NOT NULL,
            sudo BOOLEAN NOT NULL,
            roles TEXT NOT NULL,
            blueprints TEXT NOT NULL,
            auths TEXT NOT NULL,
            auth_keys TEXT NOT NULL,
            password TEXT NULL,
            updated_at BIGINT NOT NULL);
        CREATE INDEX users_email ON users (lower(email));
        CREATE TABLE password_failures (
            username TEXT PRIMARY KEY,
            failures BIGINT NOT NULL,
            locked_until BIGINT NOT NULL);
        CREATE TABLE device_flows (
            provider TEXT NOT NULL,
            username TEXT NOT NULL,
            device_code TEXT NOT NULL,
            user_code TEXT NOT NULL,
            verification_uri TEXT NOT NULL,
            expires_at BIGINT NOT NULL,
            interval_seconds BIGINT NOT NULL,
            next_poll_at BIGINT NOT NULL,
            PRIMARY KEY (provider, username));
        """,
    ];

    public Task MigrateAsync(CancellationToken cancellationToken) =>
        new SchemaMigrations("Identity", 584101, Migrations).RunAsync(database, logger, cancellationToken);
}
