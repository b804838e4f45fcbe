using System.Text.Json;

namespace K8shell.Identity.Tokens;

public static class JwksEndpoint
{
    public const string Path = "/.well-known/jwks.json";

    /// <summary>The public keys that verify user tokens, current and retired-but-not-yet-expired.</summary>
    public static WebApplication MapJwks(this WebApplication app)
    {
        app.MapGet(Path, (SigningKeys keys) =>
        {
            var document = new { keys = keys.Published.Select(key => key.PublicJwk) };
            return Results.Text(JsonSerializer.Serialize(document, JsonOptions), "application/jwk-set+json");
        });
        return app;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
