using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace K8shell.ServiceDefaults.Callers;

/// <summary>
/// The static callers' secrets, hashed once (a handler is made per request). Compared by their SHA-256
/// in constant time, every entry each time, so the time taken says nothing about which one was close.
/// </summary>
public sealed class CallerCredentials(IOptions<CallerOptions> options)
{
    private readonly IReadOnlyList<(string Name, byte[] Digest)> _digests =
        [.. options.Value.StaticTokens.Select(pair => (pair.Key, SHA256.HashData(Encoding.UTF8.GetBytes(pair.Value))))];

    /// <summary>The name of the caller whose secret this is, or null.</summary>
    public string? Match(string credential)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(credential));
        string? caller = null;
        foreach (var (name, known) in _digests)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, known))
            {
                caller = name;
            }
        }
        return caller;
    }
}
