using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;

namespace K8shell.Identity.Passwords;

/// <summary>
/// Checks a password against a stored hash: bcrypt (<c>$2a$</c>, <c>$2b$</c>, <c>$2y$</c>, as htpasswd,
/// Python's bcrypt or the chart write them) or Argon2 in the PHC string form
/// (<c>$argon2id$v=19$m=…,t=…,p=…$salt$hash</c>). A hash in any other form is a FormatException:
/// the account's configuration is wrong, which is not the same as a wrong password.
/// </summary>
public static class PasswordHashes
{
    /// <summary>Checked when the user is unknown, so the answer takes as long as a real check.</summary>
    private static readonly string Decoy = OpenBsdBCrypt.Generate("2b", RandomNumberGenerator.GetHexString(16).ToCharArray(), RandomNumberGenerator.GetBytes(16), 10);

    public static bool Verify(string hash, string password)
    {
        if (hash.StartsWith("$2a$", StringComparison.Ordinal) || hash.StartsWith("$2b$", StringComparison.Ordinal) || hash.StartsWith("$2y$", StringComparison.Ordinal))
        {
            try
            {
                return OpenBsdBCrypt.CheckPassword(hash, password.ToCharArray());
            }
            catch (ArgumentException malformed)
            {
                throw new FormatException($"not a valid bcrypt hash: {malformed.Message}");
            }
        }
        if (hash.StartsWith("$argon2", StringComparison.Ordinal))
        {
            return VerifyArgon2(hash, password);
        }
        throw new FormatException("the stored password hash is neither bcrypt ($2b$…) nor Argon2 ($argon2id$…)");
    }

    /// <summary>Spends the time of a bcrypt check, for answers about unknown users.</summary>
    public static void SpendAVerification(string password) => OpenBsdBCrypt.CheckPassword(Decoy, password.ToCharArray());

    private static bool VerifyArgon2(string hash, string password)
    {
        // $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>, base64 without padding.
        var parts = hash.Split('$');
        if (parts.Length != 6 || !parts[2].StartsWith("v=", StringComparison.Ordinal))
        {
            throw new FormatException("not a valid Argon2 hash: expected $argon2id$v=19$m=…,t=…,p=…$salt$hash");
        }
        var type = parts[1] switch
        {
            "argon2id" => Argon2Parameters.Argon2id,
            "argon2i" => Argon2Parameters.Argon2i,
            "argon2d" => Argon2Parameters.Argon2d,
            var other => throw new FormatException($"not a valid Argon2 hash: unknown variant {other}"),
        };
        var settings = parts[3].Split(',').Select(pair => pair.Split('=')).ToDictionary(pair => pair[0], pair => int.TryParse(pair.ElementAtOrDefault(1), out var value) ? value : -1);
        if (!int.TryParse(parts[2][2..], out var version) || settings.GetValueOrDefault("m") < 8 || settings.GetValueOrDefault("t") < 1 || settings.GetValueOrDefault("p") < 1)
        {
            throw new FormatException("not a valid Argon2 hash: v, m, t and p must be positive numbers");
        }
        var expected = FromUnpaddedBase64(parts[5]);
        var generator = new Argon2BytesGenerator();
        generator.Init(new Argon2Parameters.Builder(type)
            .WithVersion(version)
            .WithMemoryAsKB(settings["m"])
            .WithIterations(settings["t"])
            .WithParallelism(settings["p"])
            .WithSalt(FromUnpaddedBase64(parts[4]))
            .Build());
        var actual = new byte[expected.Length];
        generator.GenerateBytes(Encoding.UTF8.GetBytes(password), actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static byte[] FromUnpaddedBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text.PadRight(text.Length + (4 - text.Length % 4) % 4, '='));
        }
        catch (FormatException)
        {
            throw new FormatException("not a valid Argon2 hash: salt and hash must be base64");
        }
    }
}
