namespace K8shell.Ssh.HostKeys;

/// <summary>A server host key: the public key blob clients pin, and signatures over exchange hashes.</summary>
public abstract class HostKey
{
    /// <summary>Signature algorithms this key can make, in our order of preference.</summary>
    public abstract IReadOnlyList<string> Algorithms { get; }

    /// <summary>The public key in SSH wire format (RFC 4253 §6.6), K_S in the exchange hash.</summary>
    public abstract byte[] PublicKeyBlob { get; }

    /// <summary>A signature blob (<c>string algorithm || string signature</c>) over <paramref name="data"/>.</summary>
    public abstract byte[] Sign(string algorithm, ReadOnlySpan<byte> data);

    /// <summary>The key type in files and blobs: "ssh-ed25519", "ssh-rsa".</summary>
    public abstract string KeyType { get; }

    /// <summary>The private fields after the key type in an openssh-key-v1 file (OpenSSH PROTOCOL.key).</summary>
    internal abstract void WritePrivateFields(Wire.SshWriter writer);
}
