using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// The stack's OAuth provider: Identity's GitHub preset pointed at <see cref="LocalOAuthServer"/> (the real GitHub is
/// unreachable from our machines), admitting only the accounts below, so every other unknown name stays refused as
/// before for the other tests.
/// </summary>
public static class Onboarding
{
    public const string Provider = "idp.k8shell.io/github";

    /// <summary>Has a key at the provider (<see cref="KeyFile"/>): onboards, then logs in with it.</summary>
    public const string NewUser = "octo-new";

    /// <summary>Refuses the authorisation at the provider.</summary>
    public const string DenyingUser = "octo-deny";

    /// <summary>Authorises, but has no SSH key at the provider.</summary>
    public const string KeylessUser = "octo-keyless";

    /// <summary><see cref="NewUser"/>'s private key (not under ~/.ssh: the AppHost would give it to the dev user too).</summary>
    public static string KeyFile(string home) => Path.Combine(home, "onboarding", "id_ed25519");

    public static void AddAccounts(LocalOAuthServer provider, (string PublicLine, string AuthorizedKey) newUserKey)
    {
        provider.AddAccount(new LocalOAuthServer.Account(9001, NewUser, "Octo New", "octo-new@example.test", ["octo-new@example.test"], [newUserKey.AuthorizedKey]));
        provider.AddAccount(new LocalOAuthServer.Account(9002, DenyingUser, "Octo Deny", null, ["octo-deny@example.test"], []));
        provider.AddAccount(new LocalOAuthServer.Account(9003, KeylessUser, "Octo Keyless", null, ["octo-keyless@example.test"], []));
    }

    /// <summary>Identity's settings for the provider, as environment variables.</summary>
    public static Dictionary<string, string> ProviderSettings(string address) => new()
    {
        ["Identity__OAuth__Providers__github__Preset"] = "github",
        ["Identity__OAuth__Providers__github__Address"] = address,
        ["Identity__OAuth__Providers__github__ApiAddress"] = $"{address}/api",
        ["Identity__OAuth__Providers__github__ClientId"] = LocalOAuthServer.ClientId,
        ["Identity__OAuth__Providers__github__AllowedUsers__0"] = NewUser,
        ["Identity__OAuth__Providers__github__AllowedUsers__1"] = DenyingUser,
        ["Identity__OAuth__Providers__github__AllowedUsers__2"] = KeylessUser,
    };
}
