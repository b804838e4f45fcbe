using K8shell.Ssh.Algorithms;

namespace K8shell.Ssh.Transport;

/// <summary>What one key exchange settled on (RFC 4253 §7.1), and which extensions the client asked for.</summary>
public sealed record NegotiatedAlgorithms(
    string Kex,
    string HostKey,
    string CipherClientToServer,
    string CipherServerToClient,
    string? MacClientToServer,
    string? MacServerToClient,
    string CompressionClientToServer,
    string CompressionServerToClient,
    bool StrictKex,
    bool ClientWantsExtInfo)
{
    /// <summary>Ciphers that authenticate themselves; with them the MAC lists are ignored (RFC 5647, OpenSSH PROTOCOL).</summary>
    public static readonly IReadOnlySet<string> AeadCiphers = new HashSet<string>
    {
        AlgorithmNames.ChaCha20Poly1305, AlgorithmNames.Aes256Gcm, AlgorithmNames.Aes128Gcm,
    };

    /// <summary>
    /// For each list, the first algorithm of the client's that the server also offers. Strict kex
    /// holds when both sides announce it in the first KEXINIT; <paramref name="initialKex"/> matters
    /// because the markers mean nothing in later (rekey) KEXINITs.
    /// </summary>
    public static NegotiatedAlgorithms Negotiate(KexInitMessage client, KexInitMessage server, bool initialKex)
    {
        var kex = Choose("key exchange", client.KexAlgorithms.Where(IsKexMethod), server.KexAlgorithms.Where(IsKexMethod));
        var hostKey = Choose("host key algorithm", client.HostKeyAlgorithms, server.HostKeyAlgorithms);
        var cipherIn = Choose("cipher (client to server)", client.CiphersClientToServer, server.CiphersClientToServer);
        var cipherOut = Choose("cipher (server to client)", client.CiphersServerToClient, server.CiphersServerToClient);
        var macIn = AeadCiphers.Contains(cipherIn) ? null : Choose("MAC (client to server)", client.MacsClientToServer, server.MacsClientToServer);
        var macOut = AeadCiphers.Contains(cipherOut) ? null : Choose("MAC (server to client)", client.MacsServerToClient, server.MacsServerToClient);
        var compressionIn = Choose("compression (client to server)", client.CompressionClientToServer, server.CompressionClientToServer);
        var compressionOut = Choose("compression (server to client)", client.CompressionServerToClient, server.CompressionServerToClient);

        return new(kex, hostKey, cipherIn, cipherOut, macIn, macOut, compressionIn, compressionOut,
            StrictKex: initialKex && client.KexAlgorithms.Contains(AlgorithmNames.StrictKexClient),
            ClientWantsExtInfo: initialKex && client.KexAlgorithms.Contains(AlgorithmNames.ExtInfoClient));
    }

    /// <summary>Markers share the kex list but are not methods; they must never be chosen.</summary>
    private static bool IsKexMethod(string name) => name is not (
        AlgorithmNames.ExtInfoClient or AlgorithmNames.ExtInfoServer or
        AlgorithmNames.StrictKexClient or AlgorithmNames.StrictKexServer);

    private static string Choose(string what, IEnumerable<string> client, IEnumerable<string> server)
    {
        var ours = server.ToList();
        return client.FirstOrDefault(ours.Contains)
            ?? throw new SshProtocolException(SshDisconnectReason.KeyExchangeFailed,
                $"no common {what}: client offers {string.Join(",", client)}; server supports {string.Join(",", ours)}");
    }
}
