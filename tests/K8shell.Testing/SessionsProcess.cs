using System.Net.Http.Headers;

namespace K8shell.Testing;

/// <summary>
/// The real Sessions process as tests of it and of its callers start and call it: on a data directory, accepting the proxy's
/// static caller token (<c>Sessions:Callers:StaticTokens:ssh-proxy</c>), with the test's settings over those.
/// </summary>
public static class SessionsProcess
{
    /// <summary>The process environment; settings' keys may be written with <c>:</c> or <c>__</c>.</summary>
    public static Dictionary<string, string?> Environment(string dataDirectory, string callerToken, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Sessions__DataDirectory"] = dataDirectory,
            ["Sessions__Callers__StaticTokens__ssh-proxy"] = callerToken,
        };
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__")] = value;
        }
        return environment;
    }

    public static Task<ServiceProcess> StartAsync(string dataDirectory, string callerToken, IEnumerable<KeyValuePair<string, string?>> settings,
        CancellationToken cancellationToken = default) =>
        ServiceProcess.StartAsync("K8shell.Sessions", "K8shell.Sessions", servesGrpc: true, Environment(dataDirectory, callerToken, settings), cancellationToken);

    /// <summary>HTTP to the process's <c>http</c> endpoint with <paramref name="token"/> as bearer (null: none).</summary>
    public static HttpClient Http(ServiceProcess sessions, string? token)
    {
        var client = new HttpClient { BaseAddress = sessions.HttpEndpoint };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }
}
