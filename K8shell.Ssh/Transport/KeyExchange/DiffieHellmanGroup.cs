using K8shell.Ssh.Algorithms;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace K8shell.Ssh.Transport.KeyExchange;

/// <summary>The finite-field groups we offer (RFC 8268): the RFC 3526 MODP primes with generator 2.</summary>
public sealed class DiffieHellmanGroup
{
    /// <summary>Twice the strength of the strongest group (RFC 3526 §8: 8192 bits ≈ 256-bit security).</summary>
    private const int ExponentBits = 512;

    private static readonly SecureRandom Random = new();
    private readonly DHParameters _parameters;

    private DiffieHellmanGroup(DHParameters parameters) => _parameters = parameters;

    public static DiffieHellmanGroup For(string kex) => kex switch
    {
        AlgorithmNames.DhGroup14Sha256 => new(DHStandardGroups.rfc3526_2048),
        AlgorithmNames.DhGroup16Sha512 => new(DHStandardGroups.rfc3526_4096),
        AlgorithmNames.DhGroup18Sha512 => new(DHStandardGroups.rfc3526_8192),
        _ => throw new ArgumentException($"{kex} is not a Diffie-Hellman group", nameof(kex)),
    };

    /// <summary>Our public value f and the shared secret K (unsigned big-endian) for the client's e.</summary>
    public (byte[] ServerPublic, byte[] SharedSecret) Agree(ReadOnlySpan<byte> clientPublic)
    {
        var p = _parameters.P;
        var e = new BigInteger(1, clientPublic.ToArray());
        // RFC 4253 §8: e outside [2, p-2] would force a known shared secret.
        if (e.CompareTo(BigInteger.One) <= 0 || e.CompareTo(p.Subtract(BigInteger.One)) >= 0)
        {
            throw new SshProtocolException(SshDisconnectReason.KeyExchangeFailed, "Diffie-Hellman public value out of range");
        }
        var x = new BigInteger(ExponentBits, Random).SetBit(ExponentBits - 1);
        var f = _parameters.G.ModPow(x, p);
        var k = e.ModPow(x, p);
        return (f.ToByteArrayUnsigned(), k.ToByteArrayUnsigned());
    }
}
