using System.Security.Cryptography;
using K8shell.Contracts.Identity.V1;
using K8shell.Contracts.Sessions.V1;
using K8shell.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

[assembly: AssemblyFixture(typeof(K8shell.Sessions.Tests.RecordingStreamsFixture))]

namespace K8shell.Sessions.Tests;

/// <summary>
/// What recording streams are tested against, real and started once for the assembly: Identity with two users
/// (alice, bob), signing with a key the tests hold too (so they can also make tokens Identity would never issue:
/// expired, for another audience), and one Sessions that checks headers against Identity's published keys.
/// Tests that restart Sessions, fill its disk or age its recordings start Sessions of their own.
/// </summary>
public sealed class RecordingStreamsFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-recordings-").FullName;
    private readonly ECDsa _identityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private SessionsWithIdentity? _services;

    private SessionsWithIdentity Services => _services ?? throw new InvalidOperationException("not started");

    /// <summary>The credential tests call both services with, as the proxy does (a static token).</summary>
    public string CallerToken => Services.CallerToken;

    public ServiceProcess Identity => Services.Identity;

    /// <summary>The shared Sessions; its data in <see cref="DataDirectory"/>.</summary>
    public ServiceProcess Sessions => Services.Sessions;

    public string DataDirectory => Services.DataDirectory;

    /// <summary>Identity's signing key, as a token verifier sees it.</summary>
    internal SecurityKey IdentitySigningKey => new ECDsaSecurityKey(_identityKey) { KeyId = Base64UrlEncoder.Encode(new ECDsaSecurityKey(_identityKey).ComputeJwkThumbprint()) };

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_directory, "identity-key.pem");
        await File.WriteAllTextAsync(keyFile, _identityKey.ExportPkcs8PrivateKeyPem());
        _services = await SessionsWithIdentity.StartAsync(_directory, """
            users:
              - username: alice
                uid: 1001
                gid: 1001
              - username: bob
                uid: 1002
                gid: 1002
            """, new Dictionary<string, string?> { ["Identity__Tokens__SigningKeyFile"] = keyFile }, TestContext.Current.CancellationToken);
    }

    /// <summary>A Sessions of the test's own on <paramref name="dataDirectory"/>, with <paramref name="settings"/> over the usual ones.</summary>
    public Task<ServiceProcess> StartSessionsAsync(string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null) =>
        Services.StartSessionsAsync(dataDirectory, settings, TestContext.Current.CancellationToken);

    /// <summary>The recording client of <paramref name="sessions"/> (the shared one by default), calling as the proxy.</summary>
    internal RecordingService.RecordingServiceClient Recordings(ServiceProcess? sessions = null) =>
        new(GrpcChannels.WithBearer((sessions ?? Sessions).GrpcEndpoint!, CallerToken));

    /// <summary>A user token Identity issues, for Sessions by default, as the proxy gets one per action.</summary>
    internal async Task<string> UserTokenAsync(string username, params string[] audiences) =>
        (await new IdentityService.IdentityServiceClient(Services.IdentityChannel).IssueUserTokenAsync(
            new IssueUserTokenRequest { Username = username, Source = "ssh-proxy", Audiences = { audiences.Length > 0 ? audiences : ["sessions"] } },
            cancellationToken: TestContext.Current.CancellationToken)).UserToken;

    /// <summary>A token shaped as Identity's, signed by <paramref name="key"/> (Identity's own when null), for what Identity would never issue.</summary>
    internal string MadeUpToken(string username, DateTimeOffset expires, string audience = "sessions", SecurityKey? key = null) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "identity.k8shell",
            Claims = new Dictionary<string, object> { ["sub"] = username, ["aud"] = audience },
            IssuedAt = expires.UtcDateTime.AddHours(-1),
            NotBefore = expires.UtcDateTime.AddHours(-1),
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key ?? IdentitySigningKey, SecurityAlgorithms.EcdsaSha256),
        });

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        _identityKey.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
