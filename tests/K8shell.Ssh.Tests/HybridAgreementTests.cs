using System.Security.Cryptography;
using K8shell.Ssh.Transport.KeyExchange;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace K8shell.Ssh.Tests;

/// <summary>The ML-KEM hybrid from the client's side: what we reply must give it the secret we derived, and bad keys end the exchange.</summary>
public sealed class HybridAgreementTests
{
    [Fact]
    public void The_client_derives_the_same_mlkem768x25519_secret_from_our_reply()
    {
        var generator = new MLKemKeyPairGenerator();
        generator.Init(new MLKemKeyGenerationParameters(new SecureRandom(), MLKemParameters.ml_kem_768));
        var kemKeys = generator.GenerateKeyPair();
        var kemPublic = ((MLKemPublicKeyParameters)kemKeys.Public).GetEncoded();
        using var x25519 = Key.Create(KeyAgreementAlgorithm.X25519);

        var (reply, serverSecret) = MlKem768X25519Agreement.Agree([.. kemPublic, .. x25519.PublicKey.Export(KeyBlobFormat.RawPublicKey)]);

        Assert.Equal(1088 + 32, reply.Length);
        var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
        decapsulator.Init(kemKeys.Private);
        var kemSecret = new byte[decapsulator.SecretLength];
        decapsulator.Decapsulate(reply.AsSpan(0, 1088), kemSecret);
        var serverX25519 = PublicKey.Import(KeyAgreementAlgorithm.X25519, reply.AsSpan(1088), KeyBlobFormat.RawPublicKey);
        using var shared = KeyAgreementAlgorithm.X25519.Agree(x25519, serverX25519,
            new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })!;
        var clientSecret = SHA256.HashData([.. kemSecret, .. shared.Export(SharedSecretBlobFormat.RawSharedSecret)]);

        Assert.Equal(clientSecret, serverSecret);
    }

    [Theory]
    [InlineData(1184 + 31)]
    [InlineData(0)]
    public void A_client_value_of_the_wrong_length_fails_the_key_exchange(int length)
    {
        var error = Assert.Throws<SshProtocolException>(() => MlKem768X25519Agreement.Agree(new byte[length]));
        Assert.Equal(SshDisconnectReason.KeyExchangeFailed, error.Reason);
    }

    [Fact]
    public void An_encapsulation_key_with_unreduced_coefficients_fails_the_key_exchange()
    {
        // All ones: every 12-bit coefficient is 4095, above q = 3329 (FIPS 203 §7.2's modulus check).
        using var x25519 = Key.Create(KeyAgreementAlgorithm.X25519);
        byte[] value = [.. Enumerable.Repeat((byte)0xFF, 1184), .. x25519.PublicKey.Export(KeyBlobFormat.RawPublicKey)];
        var error = Assert.Throws<SshProtocolException>(() => MlKem768X25519Agreement.Agree(value));
        Assert.Equal(SshDisconnectReason.KeyExchangeFailed, error.Reason);
        Assert.Contains("invalid ML-KEM public key", error.Message);
    }
}
