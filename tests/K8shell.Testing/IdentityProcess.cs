namespace K8shell.Testing;

/// <summary>The real Identity service for tests of it and of the services that call it.</summary>
public static class IdentityProcess
{
    /// <summary>
    /// Identity with the users of <paramref name="usersFile"/>, its state in <paramref name="dataDirectory"/>,
    /// allowing <paramref name="callers"/> (name → static token); <paramref name="settings"/> add or override.
    /// </summary>
    public static Task<ServiceProcess> StartAsync(string usersFile, string dataDirectory, IReadOnlyDictionary<string, string> callers,
        IReadOnlyDictionary<string, string?>? settings = null, CancellationToken cancellationToken = default) =>
        ServiceProcess.StartAsync("K8shell.Identity", "K8shell.Identity", servesGrpc: true, Settings(usersFile, dataDirectory, callers, settings), cancellationToken);

    /// <summary>The environment <see cref="StartAsync"/> gives Identity, for tests that launch it expecting a refusal.</summary>
    public static Dictionary<string, string?> Settings(string usersFile, string dataDirectory, IReadOnlyDictionary<string, string> callers,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Identity__UserFiles__0"] = usersFile,
            ["Identity__DataDirectory"] = dataDirectory,
        };
        foreach (var (caller, token) in callers)
        {
            environment[$"Identity__Callers__StaticTokens__{caller}"] = token;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }
        return environment;
    }
}
