using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.HostKeys;

/// <summary>
/// Host keys in OpenSSH's private key format (openssh-key-v1, OpenSSH PROTOCOL.key), unencrypted:
/// what <c>ssh-keygen -N ''</c> writes and what it reads back.
/// </summary>
public static class OpenSshKeyFile
{
    private const string Begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private const string End = "-----END OPENSSH PRIVATE KEY-----";
    private static readonly byte[] Magic = "openssh-key-v1\0"u8.ToArray();

    public static HostKey Parse(string text)
    {
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new FormatException("not an OpenSSH private key (no BEGIN/END OPENSSH PRIVATE KEY lines)");
        }
        byte[] data;
        try
        {
            data = Convert.FromBase64String(text[(start + Begin.Length)..end]);
        }
        catch (FormatException)
        {
            throw new FormatException("OpenSSH private key: invalid base64");
        }
        if (!data.AsSpan().StartsWith(Magic))
        {
            throw new FormatException("OpenSSH private key: not openssh-key-v1");
        }

        try
        {
            var reader = new SshReader(data.AsSpan(Magic.Length));
            var cipher = reader.ReadAscii();
            var kdf = reader.ReadAscii();
            reader.ReadString(); // kdf options
            if (cipher != "none" || kdf != "none")
            {
                throw new FormatException($"the key is encrypted ({cipher}, {kdf}); host keys must be unencrypted (ssh-keygen -N '')");
            }
            if (reader.ReadUInt32() != 1)
            {
                throw new FormatException("OpenSSH private key: exactly one key per file is supported");
            }
            var publicKey = reader.ReadString().ToArray();
            var privateSection = new SshReader(reader.ReadString());
            if (privateSection.ReadUInt32() != privateSection.ReadUInt32())
            {
                throw new FormatException("OpenSSH private key: check integers differ (corrupt, or wrongly decrypted)");
            }
            var keyType = privateSection.ReadAscii();
            HostKey key = keyType switch
            {
                AlgorithmNames.Ed25519 => Ed25519HostKey.ReadPrivateFields(ref privateSection),
                "ssh-rsa" => RsaHostKey.ReadPrivateFields(ref privateSection),
                _ => throw new FormatException($"host key type {keyType} is not supported (use ssh-ed25519 or ssh-rsa)"),
            };
            if (!key.PublicKeyBlob.AsSpan().SequenceEqual(publicKey))
            {
                throw new FormatException("OpenSSH private key: the public key does not match the private key");
            }
            return key;
        }
        catch (SshProtocolException malformed)
        {
            throw new FormatException($"OpenSSH private key: {malformed.Message}");
        }
    }

    public static string Format(HostKey key, string comment)
    {
        var privateBuffer = new ArrayBufferWriter<byte>();
        var privateSection = new SshWriter(privateBuffer);
        var check = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
        privateSection.WriteUInt32(check);
        privateSection.WriteUInt32(check);
        privateSection.WriteUtf8(key.KeyType);
        key.WritePrivateFields(privateSection);
        privateSection.WriteUtf8(comment);
        for (byte pad = 1; privateBuffer.WrittenCount % 8 != 0; pad++)
        {
            privateSection.WriteByte(pad);
        }

        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write(Magic);
        var writer = new SshWriter(buffer);
        writer.WriteUtf8("none");
        writer.WriteUtf8("none");
        writer.WriteString([]);
        writer.WriteUInt32(1);
        writer.WriteString(key.PublicKeyBlob);
        writer.WriteString(privateBuffer.WrittenSpan);

        var base64 = Convert.ToBase64String(buffer.WrittenSpan);
        var text = new StringBuilder(Begin).Append('\n');
        for (var i = 0; i < base64.Length; i += 70)
        {
            text.Append(base64.AsSpan(i, Math.Min(70, base64.Length - i))).Append('\n');
        }
        return text.Append(End).Append('\n').ToString();
    }

    /// <summary>The authorized_keys / known_hosts form: "type base64".</summary>
    public static string PublicKeyLine(HostKey key) => $"{key.KeyType} {Convert.ToBase64String(key.PublicKeyBlob)}";

    /// <summary>
    /// Loads the key at <paramref name="path"/>, or generates one and saves it there (mode 0600,
    /// written to a temporary file and renamed, so a crash never leaves half a key).
    /// </summary>
    public static HostKey LoadOrCreate(string path, Func<HostKey> generate, string comment)
    {
        if (File.Exists(path))
        {
            return Parse(File.ReadAllText(path));
        }
        var key = generate();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        File.Delete(temporary); // a leftover from a crash; the mode below applies only to a new file
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var file = new FileStream(temporary, options))
        {
            file.Write(Encoding.ASCII.GetBytes(Format(key, comment)));
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: false);
        return key;
    }
}
