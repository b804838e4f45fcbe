using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.Identity.Tokens;

/// <summary>
/// The ES256 keys tokens are signed with. Unless one is configured, they are generated into
/// <c>&lt;data&gt;/signing-keys/</c> (PKCS#8 PEM, mode 0600, named by creation time). The successor of
/// the signing key is made <see cref="TokenOptions.PublishAhead"/> before the key is
/// <see cref="TokenOptions.RotateAfter"/> old and is published (JWKS) from then on, but signs only once it
/// is that much older: verifiers that cache the key set have seen it before its first token arrives.
/// A retired key stays published until every token it signed has expired, then it is deleted.
/// </summary>
public sealed class SigningKeys(IOptions<TokenOptions> options, IOptions<IdentityOptions> identity, IHostEnvironment environment, ILogger<SigningKeys> logger)
{
    private readonly Lock _gate = new();
    private readonly string _directory = Path.Combine(Path.GetFullPath(identity.Value.DataDirectory, environment.ContentRootPath), "signing-keys");
    private List<SigningKey>? _keys;

    /// <summary>The key to sign with now.</summary>
    public SigningKey Current
    {
        get
        {
            lock (_gate)
            {
                return Rotate();
            }
        }
    }

    /// <summary>Every key whose tokens may still be valid, and the successor: what the JWKS publishes.</summary>
    public IReadOnlyList<SigningKey> Published
    {
        get
        {
            lock (_gate)
            {
                Rotate();
                return [.. Keys()];
            }
        }
    }

    /// <summary>At most half the rotation period, so a successor never waits for its own successor.</summary>
    private TimeSpan PublishAhead => options.Value.PublishAhead < options.Value.RotateAfter / 2 ? options.Value.PublishAhead : options.Value.RotateAfter / 2;

    /// <summary>The newest key published long enough ago; the first key signs from the start.</summary>
    private SigningKey Signing(List<SigningKey> keys) =>
        keys.LastOrDefault(key => DateTimeOffset.UtcNow - key.Created >= PublishAhead) ?? keys[0];

    /// <summary>Makes the signing key's successor once it is due; returns the signing key (a new successor does not sign yet).</summary>
    private SigningKey Rotate()
    {
        var keys = Keys();
        var signing = Signing(keys);
        if (options.Value.SigningKeyFile is null && signing == keys[^1] && DateTimeOffset.UtcNow - signing.Created >= options.Value.RotateAfter - PublishAhead)
        {
            keys.Add(Generate());
            Retire(keys);
        }
        return signing;
    }

    private List<SigningKey> Keys()
    {
        if (_keys is not null)
        {
            return _keys;
        }
        if (options.Value.SigningKeyFile is { } configured)
        {
            return _keys = [SigningKey.Load(configured, DateTimeOffset.MinValue)];
        }
        Directory.CreateDirectory(_directory);
        _keys = [.. Directory.GetFiles(_directory, "*.pem")
            .Select(path => SigningKey.Load(path, DateTimeOffset.FromUnixTimeSeconds(long.Parse(Path.GetFileNameWithoutExtension(path)))))
            .OrderBy(key => key.Created)];
        if (_keys.Count == 0)
        {
            _keys.Add(Generate());
        }
        Retire(_keys);
        return _keys;
    }

    private SigningKey Generate()
    {
        var created = DateTimeOffset.UtcNow;
        var path = Path.Combine(_directory, $"{created.ToUnixTimeSeconds()}.pem");
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // Written complete under a temporary name, then renamed: a crash leaves no half key behind.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, ec.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temporary, path, overwrite: true);
        logger.LogInformation("Generated signing key {Path}", path);
        return SigningKey.Load(path, created);
    }

    /// <summary>Drops keys retired longer ago than the longest token lifetime (a key retires when its successor starts signing).</summary>
    private void Retire(List<SigningKey> keys)
    {
        for (var index = keys.Count - 2; index >= 0; index--)
        {
            var retired = keys[index + 1].Created + PublishAhead;
            if (DateTimeOffset.UtcNow - retired > options.Value.MaxLifetime)
            {
                File.Delete(keys[index].Path);
                logger.LogInformation("Deleted signing key {Path}: retired {Retired:O}, its tokens have expired", keys[index].Path, retired);
                keys.RemoveAt(index);
            }
        }
    }
}

/// <summary>A public key as RFC 7517 writes it (EC, ES256): what verifiers read from the JWKS.</summary>
public sealed record Jwk(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);

/// <summary>One signing key: the private key, its key id (the RFC 7638 thumbprint) and when it was made.</summary>
public sealed class SigningKey
{
    private SigningKey(string path, ECDsaSecurityKey key, DateTimeOffset created)
    {
        Path = path;
        Key = key;
        Created = created;
        var point = key.ECDsa.ExportParameters(includePrivateParameters: false).Q;
        PublicJwk = new Jwk("EC", "P-256", Base64UrlEncoder.Encode(point.X), Base64UrlEncoder.Encode(point.Y), key.KeyId, "sig", SecurityAlgorithms.EcdsaSha256);
    }

    public string Path { get; }

    public ECDsaSecurityKey Key { get; }

    public DateTimeOffset Created { get; }

    public static SigningKey Load(string path, DateTimeOffset created)
    {
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(File.ReadAllText(path));
        }
        catch (ArgumentException)
        {
            ec.Dispose();
            throw new InvalidOperationException($"{path}: not an EC private key in PEM");
        }
        var key = new ECDsaSecurityKey(ec);
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return new SigningKey(path, key, created);
    }

    /// <summary>The public half as a JWK, for the JWKS document.</summary>
    public Jwk PublicJwk { get; }
}
