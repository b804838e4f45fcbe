using System.Security.Cryptography;
using Grpc.Net.Client;

namespace K8shell.Testing;

/// <summary>
/// Sessions and the Identity it checks users' tokens against, both real processes, as the proxy calls them: each
/// accepts <see cref="CallerToken"/> as the static token of caller <c>ssh-proxy</c>. The recording fixtures of
/// Sessions' tests and of the proxy's tests each start one for their assembly.
/// </summary>
public sealed class SessionsWithIdentity : IAsyncDisposable
{
    private ServiceProcess? _sessions;

    private SessionsWithIdentity(string directory, string callerToken, ServiceProcess identity)
    {
        (DataDirectory, CallerToken, Identity) = (Path.Combine(directory, "sessions"), callerToken, identity);
        IdentityChannel = GrpcChannels.WithBearer(identity.GrpcEndpoint!, callerToken);
    }

    /// <summary>The static credential the proxy calls both services with.</summary>
    public string CallerToken { get; }

    public ServiceProcess Identity { get; }

    /// <summary>Identity's gRPC endpoint, called with <see cref="CallerToken"/> (users' tokens, as the proxy gets them).</summary>
    public GrpcChannel IdentityChannel { get; }

    /// <summary>The shared Sessions; its data in <see cref="DataDirectory"/>.</summary>
    public ServiceProcess Sessions => _sessions ?? throw new InvalidOperationException("not started");

    public string DataDirectory { get; }

    /// <summary>
    /// Identity with the users of <paramref name="usersYaml"/> and Sessions, their state under <paramref name="directory"/>
    /// (which the caller deletes); <paramref name="identitySettings"/> add to or override Identity's.
    /// </summary>
    public static async Task<SessionsWithIdentity> StartAsync(string directory, string usersYaml,
        IReadOnlyDictionary<string, string?>? identitySettings = null, CancellationToken cancellationToken = default)
    {
        var callerToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var usersFile = Path.Combine(directory, "users.yaml");
        await File.WriteAllTextAsync(usersFile, usersYaml, cancellationToken);
        var identity = await IdentityProcess.StartAsync(usersFile, Path.Combine(directory, "identity"),
            new Dictionary<string, string> { ["ssh-proxy"] = callerToken }, identitySettings, cancellationToken);
        var services = new SessionsWithIdentity(directory, callerToken, identity);
        try
        {
            services._sessions = await services.StartSessionsAsync(services.DataDirectory, cancellationToken: cancellationToken);
            return services;
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    /// <summary>A Sessions of the test's own on <paramref name="dataDirectory"/>, with <paramref name="settings"/> over the usual ones.</summary>
    public Task<ServiceProcess> StartSessionsAsync(string dataDirectory, IEnumerable<KeyValuePair<string, string?>>? settings = null,
        CancellationToken cancellationToken = default) =>
        SessionsProcess.StartAsync(dataDirectory, CallerToken,
            [new("services__identity__http__0", Identity.HttpEndpoint.ToString()), .. settings ?? []], cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_sessions is not null)
        {
            await _sessions.DisposeAsync();
        }
        await Identity.DisposeAsync();
        IdentityChannel.Dispose();
    }
}
