namespace K8shell.Ssh.Authentication;

/// <summary>
/// A public key the client offered. The host is asked once per user and key: the answer serves both
/// the query (PK_OK) and the signed attempt, and a success always belongs to the key that signed.
/// </summary>
public sealed record PublicKeyAuthRequest(string User, UserPublicKey Key, string ClientVersion);

/// <summary>A password attempt. The password never appears in logs or exceptions.</summary>
public sealed record PasswordAuthRequest(string User, string Password, string ClientVersion)
{
    public override string ToString() => $"PasswordAuthRequest {{ User = {User}, Password = ***, ClientVersion = {ClientVersion} }}";
}

/// <summary>A keyboard-interactive attempt: the host asks as many rounds of questions as it needs.</summary>
public sealed class KeyboardInteractiveRequest(
    string user, string clientVersion, KeyboardInteractiveChallenge challenge, Action<TimeSpan>? extendLoginGrace = null)
{
    public string User { get; } = user;

    public string ClientVersion { get; } = clientVersion;

    /// <summary>Shows <paramref name="prompts"/> (with whether to echo the answer) and returns the answers, in order.</summary>
    public ValueTask<IReadOnlyList<string>> AskAsync(
        string name, string instruction, IReadOnlyList<(string Prompt, bool Echo)> prompts, CancellationToken cancellationToken) =>
        challenge(name, instruction, prompts, cancellationToken);

    /// <summary>
    /// Leaves the person at least <paramref name="remaining"/> from now to finish logging in, past the login grace time:
    /// for a prompt answered somewhere else first (a device flow in a browser). Never shortens the grace; how much
    /// longer is the host's decision, and the connection holds its pre-auth resources meanwhile.
    /// </summary>
    public void ExtendLoginGrace(TimeSpan remaining) => extendLoginGrace?.Invoke(remaining);
}

public delegate ValueTask<IReadOnlyList<string>> KeyboardInteractiveChallenge(
    string name, string instruction, IReadOnlyList<(string Prompt, bool Echo)> prompts, CancellationToken cancellationToken);
