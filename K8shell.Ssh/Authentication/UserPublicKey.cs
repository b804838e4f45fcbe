using System.Security.Cryptography;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Wire;
using NSec.Cryptography;

namespace K8shell.Ssh.Authentication;

/// <summary>
/// A client's public key as offered in publickey authentication: its wire blob, and signature
/// verification for the algorithms we announce (ssh-ed25519, ecdsa-sha2-nistp*, rsa-sha2-*).
/// </summary>
public sealed class UserPublicKey
{
    /// <summary>OpenSSH's floor for RSA keys; smaller moduli are refused outright.</summary>
    public const int MinimumRsaBits = 1024;

    private UserPublicKey(string keyType, byte[] blob)
    {
        KeyType = keyType;
        Blob = blob;
    }

    /// <summary>"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", ...</summary>
    public string KeyType { get; }

    /// <summary>The key in SSH wire format, exactly as the client sent it.</summary>
    public byte[] Blob { get; }

    /// <summary>The authorized_keys form: "type base64".</summary>
    public string AuthorizedKey => $"{KeyType} {Convert.ToBase64String(Blob)}";

    /// <summary>"SHA256:..." as ssh-keygen -l prints it.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Blob)).TrimEnd('=');

    /// <summary>
    /// The key for a publickey request, or null when the algorithm is not one we accept or does not
    /// fit the key (e.g. "ssh-rsa", SHA-1, or an RSA algorithm over an Ed25519 blob).
    /// </summary>
    public static UserPublicKey? TryParse(string algorithm, ReadOnlySpan<byte> blob)
    {
        try
        {
            var reader = new SshReader(blob);
            var keyType = reader.ReadAscii();
            var fits = algorithm switch
            {
                AlgorithmNames.Ed25519 => keyType == AlgorithmNames.Ed25519,
                AlgorithmNames.RsaSha256 or AlgorithmNames.RsaSha512 => keyType == "ssh-rsa",
                "ecdsa-sha2-nistp256" or "ecdsa-sha2-nistp384" or "ecdsa-sha2-nistp521" => keyType == algorithm,
                _ => false,
            };
            return fits ? new UserPublicKey(keyType, blob.ToArray()) : null;
        }
        catch (SshProtocolException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="signatureBlob"/> is a valid <paramref name="algorithm"/> signature of <paramref name="data"/> by this key.</summary>
    public bool Verify(string algorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob)
    {
        try
        {
            var signature = new SshReader(signatureBlob);
            if (signature.ReadAscii() != algorithm)
            {
                return false;
            }
            var bytes = signature.ReadString();
            signature.EnsureAtEnd("signature");
            var key = new SshReader(Blob);
            key.ReadAscii();
            return algorithm switch
            {
                AlgorithmNames.Ed25519 => VerifyEd25519(ref key, data, bytes),
                AlgorithmNames.RsaSha256 => VerifyRsa(ref key, data, bytes, HashAlgorithmName.SHA256),
                AlgorithmNames.RsaSha512 => VerifyRsa(ref key, data, bytes, HashAlgorithmName.SHA512),
                _ => VerifyEcdsa(ref key, data, bytes),
            };
        }
        catch (Exception exception) when (exception is SshProtocolException or CryptographicException or FormatException)
        {
            return false;
        }
    }

    private static bool VerifyEd25519(ref SshReader key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var raw = key.ReadString();
        key.EnsureAtEnd("ssh-ed25519 key");
        return PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out var publicKey)
            && SignatureAlgorithm.Ed25519.Verify(publicKey!, data, signature);
    }

    private static bool VerifyRsa(ref SshReader key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, HashAlgorithmName hash)
    {
        var exponent = key.ReadUnsignedMPInt();
        var modulus = key.ReadUnsignedMPInt();
        key.EnsureAtEnd("ssh-rsa key");
        if (modulus.Length * 8 < MinimumRsaBits)
        {
            return false;
        }
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Exponent = exponent.ToArray(), Modulus = modulus.ToArray() });
        return rsa.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1);
    }

    private bool VerifyEcdsa(ref SshReader key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var (curve, hash, size) = KeyType switch
        {
            "ecdsa-sha2-nistp256" => (ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256, 32),
            "ecdsa-sha2-nistp384" => (ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384, 48),
            _ => (ECCurve.NamedCurves.nistP521, HashAlgorithmName.SHA512, 66),
        };
        var identifier = key.ReadAscii();
        var point = key.ReadString();
        key.EnsureAtEnd("ecdsa key");
        if (KeyType != "ecdsa-sha2-" + identifier || point.Length != 1 + 2 * size || point[0] != 4)
        {
            return false;
        }
        // RFC 5656 §3.1.2: the signature is (mpint r, mpint s); .NET wants r || s, each the field size.
        var values = new SshReader(signature);
        var r = values.ReadUnsignedMPInt();
        var s = values.ReadUnsignedMPInt();
        values.EnsureAtEnd("ecdsa signature");
        if (r.Length > size || s.Length > size)
        {
            return false;
        }
        var rs = new byte[2 * size];
        r.CopyTo(rs.AsSpan(size - r.Length));
        s.CopyTo(rs.AsSpan(2 * size - s.Length));

        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = curve,
            Q = new ECPoint { X = point.Slice(1, size).ToArray(), Y = point.Slice(1 + size, size).ToArray() },
        });
        return ecdsa.VerifyData(data, rs, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
