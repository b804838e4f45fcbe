using System.Security.Cryptography;
using K8shell.SshProxy.Authorization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.SshProxy.Tests.Authorization;

public sealed class PolicySubjectTests
{
    /// <summary>An ES256 token with the claims Identity issues (SPEC.md §8).</summary>
    internal static string UserToken(string username, object roles, bool sudo)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "identity.k8shell",
            Claims = new Dictionary<string, object>
            {
                ["sub"] = username,
                ["aud"] = new[] { "k8shell" },
                ["jti"] = "0123456789abcdef",
                ["email"] = $"{username}@example.com",
                ["name"] = "Alice Example",
                ["uid"] = 1001L,
                ["gid"] = 1002L,
                ["roles"] = roles,
                ["org"] = "acme",
                ["source"] = "idp.k8shell.io/file",
                ["shell"] = "/bin/zsh",
                ["sudo"] = sudo,
            },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256),
        });
    }

    [Fact]
    public void The_subject_is_every_claim_of_the_identity_token_under_the_name_policies_read()
    {
        var subject = PolicySubject.FromToken(UserToken("alice", new[] { "user", "ops" }, sudo: true));

        Assert.Equal(
            new PolicySubject("alice", "alice@example.com", "Alice Example", 1001, 1002, subject.Roles, "acme", "idp.k8shell.io/file", "/bin/zsh", true),
            subject);
        Assert.Equal(["user", "ops"], subject.Roles);
    }

    [Fact]
    public void One_role_as_a_plain_string_and_sudo_false_read_as_issued()
    {
        var subject = PolicySubject.FromToken(UserToken("bob", "user", sudo: false));

        Assert.Equal(["user"], subject.Roles);
        Assert.False(subject.Sudo);
    }

    [Theory]
    [InlineData("not-a-token", "not a JWT")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFAYi5jIn0.", "no sub claim")]
    public void A_token_that_is_not_a_jwt_or_names_nobody_is_refused(string token, string expected)
    {
        var refused = Assert.Throws<FormatException>(() => PolicySubject.FromToken(token));

        Assert.Contains(expected, refused.Message);
    }
}
