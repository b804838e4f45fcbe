using K8shell.Ssh.HostKeys;
using K8shell.Ssh.Transport.KeyExchange;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Connection;

/// <summary>
/// hostkeys-00@openssh.com and hostkeys-prove-00@openssh.com (OpenSSH PROTOCOL §2.5): the server
/// announces all its host keys, and proves on request that it holds them.
/// </summary>
internal static class HostKeyProofs
{
    public const string AnnouncementName = "hostkeys-00@openssh.com";
    public const string RequestName = "hostkeys-prove-00@openssh.com";

    /// <summary>The announcement's data: every public key blob.</summary>
    public static ReadOnlyMemory<byte> Announcement(IReadOnlyList<HostKey> hostKeys) => SshWriter.Serialize(w =>
    {
        foreach (var key in hostKeys)
        {
            w.WriteString(key.PublicKeyBlob);
        }
    });

    /// <summary>Signatures over (name, session id, key) for each requested key; null if one is not ours.</summary>
    public static List<byte[]>? Sign(byte[] request, IReadOnlyList<HostKey> hostKeys, KeyExchangeResult keyExchange)
    {
        var signatures = new List<byte[]>();
        var reader = new SshReader(request);
        while (!reader.IsAtEnd)
        {
            var blob = reader.ReadString().ToArray();
            var key = hostKeys.FirstOrDefault(candidate => blob.AsSpan().SequenceEqual(candidate.PublicKeyBlob));
            if (key is null)
            {
                return null;
            }
            var proof = SshWriter.Serialize(w =>
            {
                w.WriteUtf8(RequestName);
                w.WriteString(keyExchange.SessionId);
                w.WriteString(blob);
            });
            // An RSA key proves itself with the algorithm the key exchange used, if that was RSA (as sshd does).
            var algorithm = key.Algorithms.Contains(keyExchange.Algorithms.HostKey) ? keyExchange.Algorithms.HostKey : key.Algorithms[0];
            signatures.Add(key.Sign(algorithm, proof));
        }
        return signatures;
    }
}
