using System.Text.Json.Serialization;
using Microsoft.IdentityModel.JsonWebTokens;

namespace K8shell.SshProxy.Authorization;

/// <summary>
/// Who asks (reference §4.2 <c>input.subject</c>): the claims of the user's Identity token (SPEC.md §8),
/// named as policies read them (<c>sub</c> is <c>username</c>, <c>org</c> is <c>organization</c>).
/// </summary>
internal sealed record PolicySubject(
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("uid")] long Uid,
    [property: JsonPropertyName("gid")] long Gid,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("organization")] string Organization,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("shell")] string Shell,
    [property: JsonPropertyName("sudo")] bool Sudo)
{
    /// <summary>
    /// The subject of a user token. The signature is not checked again: the proxy got the token from
    /// Identity itself, over the authenticated channel it calls Identity on, in answer to this user's
    /// login; nobody else handed it in. A token that is not a JWT, or lacks <c>sub</c>, throws
    /// <see cref="FormatException"/>.
    /// </summary>
    public static PolicySubject FromToken(string token)
    {
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException malformed)
        {
            // The message of the handler may quote the token; say only what is wrong.
            throw new FormatException("the user token is not a JWT", malformed);
        }
        var username = Text(jwt, "sub");
        return username.Length == 0
            ? throw new FormatException("the user token has no sub claim")
            : new PolicySubject(username, Text(jwt, "email"), Text(jwt, "name"), Number(jwt, "uid"), Number(jwt, "gid"),
                RoleList(jwt), Text(jwt, "org"), Text(jwt, "source"), Text(jwt, "shell"), Flag(jwt, "sudo"));
    }

    private static string Text(JsonWebToken jwt, string claim) =>
        jwt.TryGetPayloadValue<string>(claim, out var value) && value is not null ? value : "";

    private static long Number(JsonWebToken jwt, string claim) =>
        jwt.TryGetPayloadValue<long>(claim, out var value) ? value : 0;

    private static bool Flag(JsonWebToken jwt, string claim) =>
        jwt.TryGetPayloadValue<bool>(claim, out var value) && value;

    /// <summary>A list claim: the token's claims come one per role, whether the payload had a list or one string.</summary>
    private static IReadOnlyList<string> RoleList(JsonWebToken jwt) => [.. jwt.Claims.Where(claim => claim.Type == "roles").Select(claim => claim.Value)];
}
