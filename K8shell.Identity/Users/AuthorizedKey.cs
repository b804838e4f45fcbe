using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace K8shell.Identity.Users;

/// <summary>
/// A public key on record: its type and wire blob (RFC 4253 §6.6). Keys are compared by blob only,
/// never by comment or options; the fingerprint is ssh-keygen's "SHA256:...".
/// </summary>
public sealed class AuthorizedKey : IEquatable<AuthorizedKey>
{
    private static readonly HashSet<string> KnownTypes =
    [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ];

    private AuthorizedKey(string type, byte[] blob)
    {
        Type = type;
        Blob = blob;
        Fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
    }

    public string Type { get; }

    public byte[] Blob { get; }

    /// <summary>Made once: every key login logs it and answers with it.</summary>
    public string Fingerprint { get; }

    /// <summary>"&lt;type&gt; &lt;base64&gt; [comment]"; a FormatException says what is wrong with it.</summary>
    public static AuthorizedKey Parse(string line)
    {
        var fields = line.Trim().Split((char[])[' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2 || !KnownTypes.Contains(fields[0]))
        {
            throw new FormatException($"not a public key (\"<type> <base64> [comment]\" with a type such as ssh-ed25519): \"{Shorten(line)}\"");
        }
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(fields[1]);
        }
        catch (FormatException)
        {
            throw new FormatException($"{fields[0]} key: the key data is not base64");
        }
        return FromBlob(blob) is { } key && key.Type == fields[0]
            ? key
            : throw new FormatException($"{fields[0]} key: the key data is not a {fields[0]} key");
    }

    /// <summary>The key in a wire blob, or null when the blob does not start with a known key type.</summary>
    public static AuthorizedKey? FromBlob(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4 || BinaryPrimitives.ReadUInt32BigEndian(blob) is var length && length > blob.Length - 4)
        {
            return null;
        }
        var type = Encoding.ASCII.GetString(blob.Slice(4, (int)length));
        return KnownTypes.Contains(type) && blob.Length > 4 + length ? new AuthorizedKey(type, blob.ToArray()) : null;
    }

    public bool Equals(AuthorizedKey? other) => other is not null && Blob.AsSpan().SequenceEqual(other.Blob);

    public override bool Equals(object? other) => Equals(other as AuthorizedKey);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Blob);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Type} {Convert.ToBase64String(Blob)}";

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
