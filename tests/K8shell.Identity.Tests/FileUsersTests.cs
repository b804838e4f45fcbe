using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;

namespace K8shell.Identity.Tests;

/// <summary>Users from the YAML file provider through the real service: lookup, public keys, reload.</summary>
public sealed class FileUsersTests(IdentityFixture identity)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_is_found_by_name_or_email_with_every_field_of_the_file()
    {
        var byName = await identity.Client.FindUserAsync(new FindUserRequest { Username = "alice" }, cancellationToken: Cancellation);
        var byEmail = await identity.Client.FindUserAsync(new FindUserRequest { Email = "ALICE@example.test" }, cancellationToken: Cancellation);

        Assert.Equal(byName.Username, byEmail.Username);
        Assert.Equal((1001u, 1001u, "Alice Liddell", "/bin/zsh", true, "wonderland", "idp.k8shell.io/file"),
            (byName.Uid, byName.Gid, byName.Fullname, byName.Shell, byName.Sudo, byName.Organization, byName.Source));
        Assert.Equal(["developer"], byName.Roles);
        Assert.Equal(["*"], byName.Blueprints);
        Assert.Equal(2u, byName.PublicKeyCount);
        // "password" is configured but alice has no password: only what can work is offered.
        Assert.Equal(["publickey"], byName.AuthMethods);
        Assert.True(byName.ExpiresAt.ToDateTime() > DateTime.UtcNow);
    }

    [Fact]
    public async Task Unknown_users_are_not_found_and_empty_lookups_are_invalid()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => identity.Client.FindUserAsync(new FindUserRequest { Username = "mallory" }, cancellationToken: Cancellation).ResponseAsync);
        var empty = await Assert.ThrowsAsync<RpcException>(() => identity.Client.FindUserAsync(new FindUserRequest(), cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
    }

    [Fact]
    public async Task A_key_on_record_is_accepted_by_its_material_whatever_its_comment_or_form()
    {
        var line = identity.Keys["alice2"].Split(' ');
        var asLine = await AuthAsync("alice", authorizedKey: $"{line[0]} {line[1]} some-other-comment");
        var asBlob = await AuthAsync("alice", blob: Convert.FromBase64String(line[1]));

        Assert.True(asLine.Valid, asLine.FailureReason);
        Assert.True(asBlob.Valid, asBlob.FailureReason);
        Assert.Equal("alice", asLine.User.Username);
        Assert.StartsWith("SHA256:", asLine.KeyFingerprint);
        Assert.Equal(asLine.KeyFingerprint, asBlob.KeyFingerprint);
    }

    [Fact]
    public async Task Other_keys_unknown_users_locked_and_disabled_accounts_are_refused_with_a_reason()
    {
        var otherKey = await AuthAsync("alice", authorizedKey: identity.Keys["stranger"]);
        var unknown = await AuthAsync("mallory", authorizedKey: identity.Keys["alice"]);
        var locked = await AuthAsync("bob", authorizedKey: identity.Keys["bob"]);
        var disabled = await AuthAsync("carol", authorizedKey: identity.Keys["stranger"]);

        Assert.False(otherKey.Valid);
        Assert.Contains("not one of the user's keys", otherKey.FailureReason);
        Assert.Equal((false, "unknown user"), (unknown.Valid, unknown.FailureReason));
        Assert.Equal((false, true), (locked.Valid, locked.Locked));
        Assert.Equal((false, "the account is disabled"), (disabled.Valid, disabled.FailureReason));
    }

    [Fact]
    public async Task Keys_can_come_from_a_file_next_to_the_user_file()
    {
        var bob = await identity.Client.FindUserAsync(new FindUserRequest { Username = "bob" }, cancellationToken: Cancellation);

        Assert.Equal(1u, bob.PublicKeyCount);
    }

    [Theory]
    [InlineData("ssh-ed25519")]
    [InlineData("ssh-ed25519 not-base64!")]
    [InlineData("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIP7lnLJFz4Vv3FNUkoXOKm5b5gZQ3V4N6eN0lRzNq4Kq")]
    public async Task A_malformed_key_is_an_invalid_argument(string key)
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => AuthAsync("alice", authorizedKey: key));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
    }

    private async Task<AuthUserResponse> AuthAsync(string user, string? authorizedKey = null, byte[]? blob = null)
    {
        var request = new AuthUserPublicKeyRequest { Username = user, ClientIp = "192.0.2.1" };
        if (authorizedKey is not null)
        {
            request.AuthorizedKey = authorizedKey;
        }
        else
        {
            request.KeyBlob = ByteString.CopyFrom(blob);
        }
        return await identity.Client.AuthUserPublicKeyAsync(request, cancellationToken: Cancellation);
    }
}
