using K8shell.Contracts.Identity.V1;
using K8shell.Testing;

namespace K8shell.Identity.Tests;

public sealed class PasswordLoginOnSqlite(IdentityFixture identity) : PasswordLoginTests(identity, new SqliteStore());

public sealed class PasswordLoginOnPostgres(IdentityFixture identity, PostgresFixture postgres) : PasswordLoginTests(identity, new PostgresStore(postgres));

/// <summary>
/// AuthUserPassword against hashes made by other programs (Python's bcrypt and argon2-cffi, from Debian),
/// and the lockout: counted in the store, so two Identity processes on one store agree.
/// </summary>
public abstract class PasswordLoginTests(IdentityFixture identity, StoreKind store) : IAsyncDisposable
{
    private static readonly TimeSpan Lockout = TimeSpan.FromSeconds(4);

    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-passwords-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bcrypt_and_argon2_passwords_log_in_and_wrong_ones_say_why_not()
    {
        await using var service = await StartAsync(Path.Combine(_directory, "data"));

        var dave = await CheckAsync(service, "dave", "correct horse");
        Assert.True(dave.Valid, dave.FailureReason);
        Assert.Equal(1004u, dave.User.Uid);
        Assert.Equal(["password"], dave.User.AuthMethods);
        Assert.True((await CheckAsync(service, "erin", "battery staple")).Valid);

        Assert.Equal("wrong password", (await CheckAsync(service, "erin", "Battery staple")).FailureReason);
        Assert.Equal("unknown user", (await CheckAsync(service, "nobody", "correct horse")).FailureReason);
        Assert.Equal("password login is not enabled for this user", (await CheckAsync(service, "alice", "anything")).FailureReason);
        var locked = await CheckAsync(service, "frank", "correct horse");
        Assert.Equal((false, true, "the account is locked"), (locked.Valid, locked.Locked, locked.FailureReason));
        Assert.Equal("the stored password hash cannot be checked", (await CheckAsync(service, "gina", "correct horse")).FailureReason);
        // The log says which account is misconfigured, and never a password.
        Assert.True(await Eventually.WaitAsync(() => service.Process.Process.Output.Contains("User gina has a password hash that cannot be checked"),
            TimeSpan.FromSeconds(10), Cancellation), service.Process.Process.Output);
        Assert.DoesNotContain("correct horse", service.Process.Process.Output);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_user_out_on_every_replica_until_the_lockout_ends()
    {
        var data = Path.Combine(_directory, "data");
        var shared = await store.NewStoreAsync(data);
        await using var first = await StartAsync(data, shared);
        await using var second = await StartAsync(data, shared);

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var wrong = await CheckAsync(attempt % 2 == 0 ? first : second, "dave", $"guess {attempt}");
            Assert.Equal((false, false, "wrong password"), (wrong.Valid, wrong.Locked, wrong.FailureReason));
        }
        var before = DateTimeOffset.UtcNow;
        var fifth = await CheckAsync(first, "dave", "guess 5");
        var after = DateTimeOffset.UtcNow;
        Assert.True(fifth.Locked);
        var until = fifth.LockedUntil.ToDateTimeOffset();
        Assert.InRange(until, before + Lockout - TimeSpan.FromSeconds(1), after + Lockout + TimeSpan.FromSeconds(1));

        // The other replica refuses even the right password, and says until when.
        var refused = await CheckAsync(second, "dave", "correct horse");
        Assert.Equal((false, true, until), (refused.Valid, refused.Locked, refused.LockedUntil.ToDateTimeOffset()));
        Assert.StartsWith("locked out after too many wrong passwords until", refused.FailureReason);
        // Other users are not affected.
        Assert.True((await CheckAsync(second, "erin", "battery staple")).Valid);

        await Task.Delay(until - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200), Cancellation);
        Assert.True((await CheckAsync(second, "dave", "correct horse")).Valid);
        // The count starts again: one wrong password is just that.
        Assert.False((await CheckAsync(first, "dave", "guess 6")).Locked);
    }

    [Fact]
    public async Task A_lockout_does_not_keep_the_owner_from_logging_in_with_a_key()
    {
        await using var service = await StartAsync(Path.Combine(_directory, "data"));
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await CheckAsync(service, "henry", $"guess {attempt}");
        }
        Assert.True((await CheckAsync(service, "henry", "correct horse")).Locked);

        var key = await service.Client.AuthUserPublicKeyAsync(
            new AuthUserPublicKeyRequest { Username = "henry", AuthorizedKey = identity.Keys["stranger"] }, cancellationToken: Cancellation);
        Assert.True(key.Valid, key.FailureReason);
    }

    private async Task<TestIdentity> StartAsync(string data, Dictionary<string, string?>? shared = null)
    {
        var users = Path.Combine(_directory, "users.yaml");
        if (!File.Exists(users))
        {
            var bcrypt = await HashAsync("import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(10)).decode())");
            var argon2 = await HashAsync("import argon2, sys; print(argon2.PasswordHasher(time_cost=2, memory_cost=8192, parallelism=1).hash(sys.argv[1]))",
                "battery staple");
            await File.WriteAllTextAsync(Path.Combine(_directory, "erin.password"), argon2 + "\n", Cancellation);
            await File.WriteAllTextAsync(users, $"""
                users:
                  - {User("dave", 1004)}
                    password: "{bcrypt}"
                  - {User("erin", 1005)}
                    password: !file erin.password
                  - {User("frank", 1006)}
                    password: "{bcrypt}"
                    locked: true
                  - {User("gina", 1007)}
                    password: "md5-is-not-a-password-hash"
                  - {User("henry", 1008, "[password, publickey]")}
                    password: "{bcrypt}"
                    authKeys: ["{identity.Keys["stranger"]}"]
                  - username: alice
                    uid: 1001
                    gid: 1001
                    authKeys: ["{identity.Keys["alice"]}"]
                """, Cancellation);
        }
        var settings = new Dictionary<string, string?>
        {
            ["Identity__Passwords__LockoutDuration"] = Lockout.ToString(),
        };
        return await TestIdentity.StartAsync(identity, users, data, settings, shared ?? await store.NewStoreAsync(data));
    }

    private static string User(string name, int id, string auths = "[password]") => $"username: {name}\n    uid: {id}\n    gid: {id}\n    auths: {auths}";

    private static async Task<string> HashAsync(string script, string password = "correct horse") =>
        (await Programs.RunToSuccessAsync("/usr/bin/python3", ["-c", script, password], cancellationToken: Cancellation)).Trim();

    private static async Task<AuthUserResponse> CheckAsync(TestIdentity service, string username, string password) =>
        await service.Client.AuthUserPasswordAsync(
            new AuthUserPasswordRequest { Username = username, Password = password, ClientIp = "192.0.2.7" }, cancellationToken: Cancellation);

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
