namespace K8shell.Ssh.Algorithms;

/// <summary>
/// Algorithm names on the wire, and the order in which the server offers them (SPEC.md §2):
/// nothing SHA-1, no CBC, no NIST-curve key exchange, strict kex always.
/// </summary>
public static class AlgorithmNames
{
    /// <summary>Post-quantum hybrid (ML-KEM-768 + X25519), OpenSSH 10's default.</summary>
    public const string MlKem768X25519Sha256 = "mlkem768x25519-sha256";

    /// <summary>Post-quantum hybrid (Streamlined NTRU Prime + X25519), OpenSSH 9's default.</summary>
    public const string Sntrup761X25519Sha512 = "sntrup761x25519-sha512@openssh.com";

    /// <summary>The same method under its IETF name (OpenSSH 9.9 and later offer both).</summary>
    public const string Sntrup761X25519Sha512Ietf = "sntrup761x25519-sha512";
    public const string Curve25519Sha256 = "curve25519-sha256";
    public const string Curve25519Sha256LibSsh = "curve25519-sha256@libssh.org";
    public const string DhGroup16Sha512 = "diffie-hellman-group16-sha512";
    public const string DhGroup18Sha512 = "diffie-hellman-group18-sha512";
    public const string DhGroup14Sha256 = "diffie-hellman-group14-sha256";

    /// <summary>RFC 8308: the client may send SSH_MSG_EXT_INFO; announced by the client as ext-info-c.</summary>
    public const string ExtInfoServer = "ext-info-s";
    public const string ExtInfoClient = "ext-info-c";

    /// <summary>OpenSSH strict key exchange (the Terrapin counter-measure).</summary>
    public const string StrictKexServer = "kex-strict-s-v00@openssh.com";
    public const string StrictKexClient = "kex-strict-c-v00@openssh.com";

    public const string Ed25519 = "ssh-ed25519";
    public const string RsaSha512 = "rsa-sha2-512";
    public const string RsaSha256 = "rsa-sha2-256";

    public const string ChaCha20Poly1305 = "chacha20-poly1305@openssh.com";
    public const string Aes256Gcm = "aes256-gcm@openssh.com";
    public const string Aes128Gcm = "aes128-gcm@openssh.com";
    public const string Aes256Ctr = "aes256-ctr";
    public const string Aes192Ctr = "aes192-ctr";
    public const string Aes128Ctr = "aes128-ctr";

    public const string HmacSha256Etm = "hmac-sha2-256-etm@openssh.com";
    public const string HmacSha512Etm = "hmac-sha2-512-etm@openssh.com";

    public const string NoCompression = "none";

    /// <summary>
    /// Key exchange methods in preference order (SPEC.md §2's list, led by the post-quantum hybrids
    /// issue 3 adds: ML-KEM, which NIST standardised, before NTRU Prime), then the two markers every
    /// server KEXINIT carries.
    /// </summary>
    public static IReadOnlyList<string> ServerKex { get; } =
    [
        MlKem768X25519Sha256, Sntrup761X25519Sha512Ietf, Sntrup761X25519Sha512, Curve25519Sha256, Curve25519Sha256LibSsh, DhGroup16Sha512, DhGroup18Sha512, DhGroup14Sha256,
        ExtInfoServer, StrictKexServer,
    ];

    public static IReadOnlyList<string> ServerHostKeys { get; } = [Ed25519, RsaSha512, RsaSha256];

    public static IReadOnlyList<string> ServerCiphers { get; } =
        [ChaCha20Poly1305, Aes256Gcm, Aes128Gcm, Aes256Ctr, Aes192Ctr, Aes128Ctr];

    /// <summary>Only encrypt-then-MAC; AEAD ciphers ignore the MAC list.</summary>
    public static IReadOnlyList<string> ServerMacs { get; } = [HmacSha256Etm, HmacSha512Etm];

    public static IReadOnlyList<string> ServerCompression { get; } = [NoCompression];
}
