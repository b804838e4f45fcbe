using System.Security.Cryptography;
using K8shell.Identity.Users;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.Identity.Tokens;

/// <summary>Mints the ES256 user tokens of SPEC.md §8; they are not stored, callers cache them.</summary>
public sealed class TokenIssuer(SigningKeys keys, IOptions<TokenOptions> options)
{
    public const string DefaultAudience = "k8shell";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public (string Token, DateTimeOffset ExpiresAt) Issue(UserRecord user, string source, IReadOnlyList<string> audiences, TimeSpan? lifetime)
    {
        // Whole seconds, as the token's iat and exp are: expires_at must say exactly what exp says.
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        var expires = now + (lifetime is { } asked && asked > TimeSpan.Zero ? Min(asked, options.Value.MaxLifetime) : options.Value.DefaultLifetime);
        var claims = new Dictionary<string, object>
        {
            ["sub"] = user.Username,
            ["aud"] = audiences.Count > 0 ? audiences.ToArray() : [DefaultAudience],
            ["jti"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(),
            ["email"] = user.Email,
            ["name"] = user.Fullname,
            ["uid"] = (long)user.Uid,
            ["gid"] = (long)user.Gid,
            ["roles"] = user.Roles.ToArray(),
            ["org"] = user.Organization,
            ["source"] = source,
            ["shell"] = user.Shell,
            ["sudo"] = user.Sudo,
        };
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(keys.Current.Key, SecurityAlgorithms.EcdsaSha256),
        });
        return (token, expires);
    }

    private static TimeSpan Min(TimeSpan first, TimeSpan second) => first < second ? first : second;
}
