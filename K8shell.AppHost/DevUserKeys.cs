using System.Buffers.Binary;
using System.Text;

namespace K8shell.AppHost;

/// <summary>The developer's public keys as SPEC.md §11 has them: <c>~/.ssh/*.pub</c> and <c>~/.ssh/authorized_keys</c>.</summary>
public static class DevUserKeys
{
    /// <summary>
    /// The key types Identity accepts (its <c>AuthorizedKey</c>): one key it refuses would stop it at start, so a key
    /// of another type (ssh-dss, say) is left out here rather than written into the user file.
    /// </summary>
    private static readonly HashSet<string> IdentityKeyTypes =
    [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ];

    /// <summary>
    /// Each key once, as <c>type base64 [comment]</c>: authorized_keys options (<c>command="…"</c>) dropped, as Identity keeps
    /// keys without them; private keys, known_hosts and lines that are no key are not read.
    /// </summary>
    public static IReadOnlyList<string> Read(string home)
    {
        var ssh = Path.Combine(home, ".ssh");
        if (!Directory.Exists(ssh))
        {
            return [];
        }
        var files = Directory.EnumerateFiles(ssh, "*.pub").Order(StringComparer.Ordinal).Append(Path.Combine(ssh, "authorized_keys")).Where(File.Exists);
        var keys = new List<string>();
        var blobs = new HashSet<string>();
        foreach (var line in files.SelectMany(File.ReadLines))
        {
            if (KeyOf(line) is { } key && blobs.Add(key.Blob))
            {
                keys.Add(key.Line);
            }
        }
        return keys;
    }

    private static (string Line, string Blob)? KeyOf(string line)
    {
        var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        // The type is the first field of a .pub line, or the first after an authorized_keys line's options.
        var type = Array.FindIndex(fields, IdentityKeyTypes.Contains);
        if (type < 0 || type + 1 >= fields.Length || !IsKeyBlob(fields[type], fields[type + 1]))
        {
            return null;
        }
        return (string.Join(' ', fields[type..]), fields[type + 1]);
    }

    /// <summary>Base64 of a wire blob that starts with its own type name (RFC 4253 §6.6), as Identity checks it.</summary>
    private static bool IsKeyBlob(string type, string base64)
    {
        var blob = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, blob, out var length) || length < 4)
        {
            return false;
        }
        var typeLength = BinaryPrimitives.ReadUInt32BigEndian(blob);
        return typeLength < length - 4 && Encoding.ASCII.GetString(blob, 4, (int)typeLength) == type;
    }
}
