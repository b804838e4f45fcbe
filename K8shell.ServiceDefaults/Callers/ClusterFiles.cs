using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace K8shell.ServiceDefaults.Callers;

/// <summary>
/// Reading <see cref="KubernetesCallerOptions.CaFile"/> and the token files (<see cref="KubernetesCallerOptions.TokenFile"/>,
/// a service client's <c>TokenFile</c>), the same way at start (to refuse a bad setting) and at each use. Problems are
/// <see cref="InvalidDataException"/>s (or the I/O exception) whose message never quotes the token.
/// </summary>
public static class ClusterFiles
{
    /// <summary>The CA certificates of a PEM bundle such as the mounted <c>ca.crt</c>; at least one.</summary>
    public static X509Certificate2Collection LoadCertificates(string path)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (CryptographicException damaged)
        {
            throw new InvalidDataException($"is not a PEM certificate bundle ({damaged.Message})", damaged);
        }
        return certificates.Count > 0 ? certificates : throw new InvalidDataException("holds no PEM certificate");
    }

    public static async Task<string> ReadTokenAsync(string path, CancellationToken cancellationToken) =>
        Token(await File.ReadAllTextAsync(path, cancellationToken));

    public static string ReadToken(string path) => Token(File.ReadAllText(path));

    /// <summary>
    /// The file's one line. Anything else would be refused by the issuer anyway, or (a line break) split the
    /// Authorization header; saying so here is clearer than a 401 or an exception from the HTTP client.
    /// </summary>
    private static string Token(string text)
    {
        var token = text.Trim();
        if (token.Length == 0)
        {
            throw new InvalidDataException("is empty, not a token");
        }
        return token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? throw new InvalidDataException("holds more than one word or line, not a token")
            : token;
    }

    /// <summary>Why <paramref name="read"/> fails on <paramref name="path"/>, in words for a settings error; null if it works.</summary>
    public static string? Problem(string path, Action<string> read)
    {
        try
        {
            read(path);
            return null;
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Explain(path, failure);
        }
    }

    /// <summary>What went wrong reading <paramref name="path"/>, starting with the path: "'…' does not exist".</summary>
    public static string Explain(string path, Exception failure) => failure is FileNotFoundException or DirectoryNotFoundException
        ? $"'{path}' does not exist"
        : $"'{path}' {Describe(failure)}";

    /// <summary>Our own messages read after the path ("'…' is empty"); the system's are quoted as they are.</summary>
    public static string Describe(Exception failure) => failure is InvalidDataException ? failure.Message : $"cannot be read: {failure.Message}";
}
